"""The lines of a definition that a failing test's last call of it ran: the branch that gave the wrong result.

A small model shown a function and a failing assertion tends to re-send the function unchanged; naming the lines
the failing call went through (that one test run again under a line tracer limited to the definition) points at
the branch to change. Evidence: docs/repo-context.md.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hame.context.defindex import DefSpan
from hame.context.localize import Evidence, Runner, local_runner

from .testfiles import TEST_NAME

TRACE_TIMEOUT_S = 20  # the test runs again under a tracer, several times slower
MARK = "HAME_TRACE "
ENV_WORD = re.compile(r"([A-Za-z_]\w*)=(.*)", re.S)
# runs one test under pytest with a tracer that records, per call of a code object defined in [start, end] of the
# file, the lines it ran; prints the last call's lines
TRACER = r"""
import json, os, re, sys
import pytest
path, start, end = os.path.realpath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
test_file, name = sys.argv[4], sys.argv[5]
calls, frames = [], {}
def short(value):
    try:
        text = repr(value)
    except Exception:
        text = "<" + type(value).__name__ + ">"
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)  # an address differs from run to run and says nothing
    return text if len(text) <= 60 else text[:57] + "..."
def tracer(frame, event, arg):
    code = frame.f_code
    if event != "call" or code.co_filename != path or not start <= code.co_firstlineno <= end:
        return None
    if code.co_name.startswith("<"):  # a comprehension or lambda: part of the call around it, not a call to show
        return None
    if frame in frames:  # a generator resumed: the same call goes on
        call = frames[frame]
    else:
        names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        args = ", ".join(n + "=" + short(frame.f_locals[n]) for n in names
                         if n not in ("self", "cls") and n in frame.f_locals)
        args = args if len(args) <= 200 else args[:197] + "..."  # many keyword arguments: the first ones
        call = frames[frame] = [code.co_name, [], args, ""]
        calls.append(call)
    generator = code.co_flags & 0x20
    def local(frame, event, arg, call=call):
        if event == "line":
            call[1].append(frame.f_lineno)
        elif event == "exception":
            call[3] = "raised " + arg[0].__name__
        elif event == "return" and not generator and not call[3].startswith("raised"):
            call[3] = "returned " + short(arg)
        return local
    return local
sys.settrace(tracer)
try:
    pytest.main(["-q", "-x", "-p", "no:cacheprovider", test_file, "-k", name])
finally:
    sys.settrace(None)
ran = [call for call in calls if call[1]]  # a generator closed unfinished has a call that runs no line
print("HAME_TRACE " + json.dumps(ran[-1] if ran else ["", [], "", ""]))
"""


@dataclass(frozen=True)
class Call:
    """A traced call: the function's name, the lines it ran in order, its arguments and how it ended."""

    name: str = ""
    lines: tuple[int, ...] = ()
    args: str = ""  # `word='glass'` (self and cls left out)
    outcome: str = ""  # `returned 'glas'`, `raised ValueError`; "" for a generator


def last_call(root: Path, path: str, start: int, end: int, test_file: str, test: str,
              timeout: float = TRACE_TIMEOUT_S, env: Mapping[str, str] | None = None, run: Runner | None = None
              ) -> Call:
    """The last call of a function defined at `path` lines `start`-`end` while the test `test` of `test_file` ran
    (`env` set for it; `run` runs it, in the sandbox when the code may be a model's); an empty Call when none was
    called, or the run failed or ran out of time."""
    argv = [sys.executable, "-c", TRACER, str(root / path), str(start), str(end), test_file, test]
    command = " ".join([*(f"{name}={shlex.quote(value)}" for name, value in (env or {}).items()), shlex.join(argv)])
    output = (run or local_runner(root))(command, timeout)
    line = next((x for x in reversed(output.splitlines()) if x.startswith(MARK)), "")
    try:
        name, lines, args, outcome = json.loads(line[len(MARK):]) if line else ("", [], "", "")
    except ValueError:
        return Call()
    return Call(str(name), tuple(n for n in lines if isinstance(n, int)), str(args), str(outcome))


def traced(root: Path, spans: Sequence[DefSpan], ev: Evidence, run: Runner | None = None
           ) -> tuple[str, Call] | None:
    """(path, call): the first failing test's last call of the best shown definition (`spans`, best first), when
    the test failed on its own line (an assertion, an exception expected and not raised): where an exception came
    from the library, its line is named already. None when the test is not pytest's or ran none."""
    site = ev.sites[0] if ev.sites else None
    code = [s for s in spans if not TEST_NAME.search(s.path) and s.path.endswith(".py")]
    if site is None or site.raised is not None or not code or site.test.startswith("collecting "):
        return None
    test = f"{site.cls} and {site.test}" if site.cls else site.test  # pytest's -k: the method of that class
    call = last_call(root, code[0].path, code[0].start, code[0].end, site.line.path, test,
                     env=leading_env(ev.check), run=run)
    return (code[0].path, call) if call.lines else None


def leading_env(command: str) -> dict[str, str]:
    """The variables a shell command sets before its program (`PYTHONPATH=src python -m pytest ...`)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return {}
    env = {}
    for word in words:
        if not (m := ENV_WORD.match(word)):
            break
        env[m.group(1)] = m.group(2)
    return env
