"""Which functions the failing tests ran and the passing ones did not (spectrum-based fault localization).

When the failing tests fail on their own assertions (no traceback names library code) and the report does not
name the function, the tests' spectra still point at it: the test file is run once more under pytest with a
profiler that records, per test, the workspace functions it called; a function run by every failing test and by
few passing ones scores high (Ochiai: failed(f) / sqrt(failed * (failed(f) + passed(f)))).
"""

from __future__ import annotations

import json
import math
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from hame.context.defindex import DefSpan, SourceFile, innermost
from hame.context.localize import Evidence, Runner, local_runner
from hame.context.trace_path import leading_env

from .testfiles import TEST_NAME

SPECTRUM_TIMEOUT_S = 60  # the whole test file runs again, a few times slower under the profiler
MARK = "HAME_SPECTRUM "
# runs the test files under pytest; per test, the (file, first line) of each workspace function it called
PROFILER = r"""
import json, os, sys
import pytest
root = os.path.realpath(os.getcwd()) + os.sep
current, called, outcome = [None], {}, {}
def profile(frame, event, arg):
    if event == "call" and current[0] is not None and frame.f_code.co_filename.startswith(root):
        called[current[0]].add((frame.f_code.co_filename[len(root):], frame.f_code.co_firstlineno))
class Spectrum:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        current[0] = item.nodeid
        called.setdefault(item.nodeid, set())
        sys.setprofile(profile)
        try:
            yield
        finally:
            sys.setprofile(None)
            current[0] = None
    def pytest_runtest_logreport(self, report):
        if report.when == "call":
            outcome[report.nodeid] = report.outcome == "failed"
pytest.main(["-q", "-p", "no:cacheprovider", *sys.argv[1:]], plugins=[Spectrum()])
print("HAME_SPECTRUM " + json.dumps([[outcome.get(k, False), sorted(v)] for k, v in called.items()]))
"""


def suspicious(root: Path, files: Mapping[str, SourceFile], ev: Evidence, run: Runner | None = None
               ) -> dict[DefSpan, float]:
    """Ochiai scores of the definitions the failing tests ran, when they failed on their own assertions (no
    library frame raised) in pytest-runnable test files; {} otherwise, or when the run fails or times out."""
    if ev.innermost or not ev.sites or not ev.test_files or any(s.raised or s.test.startswith("collecting ")
                                                                for s in ev.sites):
        return {}
    output = (run or local_runner(root))(command(ev.test_files, leading_env(ev.check)), SPECTRUM_TIMEOUT_S)
    return ochiai(files, spectra(output))


def spectra(output: str) -> list[tuple[bool, list[tuple[str, int]]]]:
    """(failed, the functions it called) per test, from the profiler's output; [] when it printed none."""
    line = next((x for x in reversed(output.splitlines()) if x.startswith(MARK)), "")
    try:
        rows = json.loads(line[len(MARK):]) if line else []
        return [(bool(failed), [(str(p), int(n)) for p, n in called]) for failed, called in rows]
    except (ValueError, TypeError):
        return []


def command(test_files: Sequence[str], env: Mapping[str, str]) -> str:
    argv = [sys.executable, "-c", PROFILER, *test_files]
    return " ".join([*(f"{k}={shlex.quote(v)}" for k, v in env.items()), shlex.join(argv)])


def ochiai(files: Mapping[str, SourceFile], rows: Sequence[tuple[bool, Sequence[tuple[str, int]]]]
           ) -> dict[DefSpan, float]:
    """Each definition's Ochiai score from the tests' spectra (a comprehension or lambda counts for the definition
    it is in); only definitions some failing test ran, none in test files."""
    failed = sum(1 for f, _ in rows if f)
    if not failed:
        return {}
    ran_failing: dict[DefSpan, int] = {}
    ran_passing: dict[DefSpan, int] = {}
    for is_failed, called in rows:
        spans = {span for path, line in called if path in files and not TEST_NAME.search(path)
                 and (span := definition_at(files[path], line)) is not None}
        for span in spans:
            counts = ran_failing if is_failed else ran_passing
            counts[span] = counts.get(span, 0) + 1
    return {s: n / math.sqrt(failed * (n + ran_passing.get(s, 0))) for s, n in ran_failing.items()}


def definition_at(source: SourceFile, line: int) -> DefSpan | None:
    """The definition a code object starting at `line` belongs to: the one whose decorators or `def` line it is,
    else the narrowest one holding it (a comprehension, a lambda)."""
    lines = source.lines
    for span in source.spans:
        if line <= span.start and all(x.strip().startswith("@") for x in lines[line - 1 : span.start - 1]):
            return span
    return innermost(source.spans, line)
