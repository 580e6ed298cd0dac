"""The lines of a definition that a failing test's last call of it ran: the branch that gave the wrong result.

A small model shown a function and a failing assertion tends to re-send the function unchanged; naming the lines
the failing call went through (that one test run again under a line tracer limited to the definition) points at
the branch to change. Evidence: docs/repo-context.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from hame.context.defindex import DefSpan
from hame.context.localize import Evidence

from .testfiles import TEST_NAME

TRACE_TIMEOUT_S = 20  # the test runs again under a tracer, several times slower
MARK = "HAME_TRACE "
# runs one test under pytest with a tracer that records, per call of a code object defined in [start, end] of the
# file, the lines it ran; prints the last call's lines
TRACER = r"""
import json, os, sys
import pytest
path, start, end = os.path.realpath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
test_file, name = sys.argv[4], sys.argv[5]
calls, frames = [], {}
def tracer(frame, event, arg):
    code = frame.f_code
    if event != "call" or code.co_filename != path or not start <= code.co_firstlineno <= end:
        return None
    if frame in frames:  # a generator resumed: the same call goes on
        lines = frames[frame]
    else:
        lines = frames[frame] = []
        calls.append((code.co_name, lines))
    def local(frame, event, arg, lines=lines):
        if event == "line":
            lines.append(frame.f_lineno)
        return local
    return local
sys.settrace(tracer)
try:
    pytest.main(["-q", "-x", "-p", "no:cacheprovider", test_file, "-k", name])
finally:
    sys.settrace(None)
ran = [call for call in calls if call[1]]  # a generator closed unfinished has a call that runs no line
print("HAME_TRACE " + json.dumps(ran[-1] if ran else ["", []]))
"""


def last_call_lines(root: Path, path: str, start: int, end: int, test_file: str, test: str,
                    timeout: float = TRACE_TIMEOUT_S) -> tuple[str, list[int]]:
    """(the function's name, the lines in the order run) of the last call of a function defined at `path` lines
    `start`-`end` while the test `test` of `test_file` ran; ("", []) when none was called, or the run failed or ran
    out of time."""
    command = [sys.executable, "-c", TRACER, str(root / path), str(start), str(end), test_file, test]
    try:
        proc = subprocess.run(command, cwd=root, capture_output=True, text=True, errors="replace", timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return "", []
    line = next((x for x in reversed(proc.stdout.splitlines()) if x.startswith(MARK)), "")
    try:
        name, lines = json.loads(line[len(MARK):]) if line else ("", [])
    except ValueError:
        return "", []
    return str(name), [n for n in lines if isinstance(n, int)]


def traced(root: Path, spans: Sequence[DefSpan], ev: Evidence) -> tuple[str, str, list[int]] | None:
    """(path, function, lines) the first failing test's last call of the best shown definition (`spans`, best
    first) ran, when the test failed on its own line (an assertion, an exception expected and not raised): where an
    exception came from the library, its line is named already. None when the test is not pytest's or ran none."""
    site = ev.sites[0] if ev.sites else None
    code = [s for s in spans if not TEST_NAME.search(s.path) and s.path.endswith(".py")]
    if site is None or site.raised is not None or not code:
        return None
    name, lines = last_call_lines(root, code[0].path, code[0].start, code[0].end, site.line.path, site.test)
    return (code[0].path, name, lines) if lines else None
