"""A failing pytest run, told briefly: the counts, then each distinct error once — the test's code up to the
failing line and pytest's `E` lines — with the other tests that fail the same way named after it. A small model
reads one focused failure better than 3,000 characters of tracebacks, most of them the same error again.

Output that is not a pytest report (or that this cannot shorten) is left to the caller to clip."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .assertions import explain

SECTION = re.compile(r"^={3,} (FAILURES|ERRORS) ={3,}$")
HEADER = re.compile(r"^_+ (\S.*?) _+$")
END = re.compile(r"^={3,} .* ={3,}$")
LOCATION = re.compile(r"^[^\s:]+:\d+: ")
COUNTS = re.compile(r"^=*\s*(\d+ (failed|passed|error|errors)\b.*?)\s*=*$")
NOISE = re.compile(r"^(self|cls) = <|^\s*$")
UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in ", re.M)
UNITTEST_CRASH = re.compile(r"unittest[/\\]loader\.py\", line \d+, in loadTestsFromName")
UNITTEST_RESULT = re.compile(r"^(OK|FAILED)\b(?: \((.*)\))?\s*$", re.M)


@dataclass
class Failure:
    name: str
    lines: list[str] = field(default_factory=list)  # what the model is shown
    key: str = ""  # the error itself (`E` lines), to group tests that fail the same way
    same: list[str] = field(default_factory=list)  # other tests with this error
    raw: list[str] = field(default_factory=list)  # pytest's lines for this test


def digest(output: str, max_errors: int = 3, max_lines: int = 30, workspace: Path | None = None) -> str | None:
    """The short report, or None when `output` has no pytest FAILURES/ERRORS section. With `workspace` (where the
    test files are), each failure that can be is told as one concrete line (context/assertions.py)."""
    lines = output.splitlines()
    failures = _failures(lines)
    if not failures:
        return None
    if workspace is not None:
        return _concrete(failures, lines, max_errors, max_lines, workspace)
    distinct: dict[str, Failure] = {}
    for f in failures:
        if f.key in distinct:
            distinct[f.key].same.append(f.name)
        else:
            distinct[f.key] = f
    out = [_counts(lines)]
    shown = list(distinct.values())[:max_errors]
    for f in shown:
        out += ["", f"{f.name}:", *_cap(f.lines, max_lines)]
        if f.same:
            names = ", ".join(f.same[:3]) + (f" and {len(f.same) - 3} more" if len(f.same) > 3 else "")
            out.append(f"(the same error in {len(f.same)} more: {names})")
    hidden = len(distinct) - len(shown)
    if hidden:
        out += ["", f"({hidden} more different error{'s' if hidden > 1 else ''} not shown: fix these first)"]
    return "\n".join(out)


def unittest_counts(output: str) -> str:
    """unittest's result (`Ran 9 tests` ... `FAILED (failures=1, errors=1)`) as a counts line like pytest's:
    `unittest: 1 failed, 7 passed, 1 error`, so that the restarts' rules read it; "" when there is none."""
    ran, result = UNITTEST_RAN.findall(output), UNITTEST_RESULT.findall(output)
    if not ran or not result:  # a module named on the command line that does not import stops unittest itself
        return "unittest: 0 passed, 1 error" if UNITTEST_CRASH.search(output) else ""
    kinds = dict(item.strip().split("=", 1) for item in result[-1][1].split(",") if "=" in item)
    failed, errors = int(kinds.get("failures", 0)), int(kinds.get("errors", 0))
    skipped = int(kinds.get("skipped", 0)) + int(kinds.get("expected failures", 0))
    passed = max(0, int(ran[-1]) - failed - errors - skipped)
    parts = [f"{failed} failed"] * bool(failed) + [f"{passed} passed"]
    parts += [f"{errors} error{'s' * (errors > 1)}"] * bool(errors)
    return "unittest: " + ", ".join(parts)


def _concrete(failures: list[Failure], lines: list[str], max_errors: int, max_lines: int, workspace: Path) -> str:
    """The counts, then the failures told as one line each (the shortest first; one line for the tests that raise
    the same error at the same place), then those that cannot be, as pytest told them."""
    told = [(f, explain(f.raw, workspace)) for f in failures]
    plain = {f.key: f for f, line in told if line is None}  # one of each error pytest's lines must tell
    groups: dict[str, list[str]] = {}
    for f, line in sorted(((f, line) for f, line in told if line), key=lambda t: len(t[1] or "")):
        key = line.split(" raised ", 1)[1] if line and " raised " in line else line or ""
        groups.setdefault(key, []).append(f"{f.name}: {line}")
    out = [_counts(lines)]
    shown = 0
    for same in list(groups.values())[:max_errors]:
        more = len(same) - 1
        out.append(same[0] + (f" (the same error in {more} more test{'s' if more > 1 else ''})" if more else ""))
        shown += len(same)
    for f in list(plain.values())[:max(0, max_errors - len(groups))]:
        out += ["", f"{f.name}:", *_cap(f.lines, max_lines)]
        shown += 1
    hidden = len(failures) - shown
    if hidden:
        out += ["", f"({hidden} more failing test{'s' if hidden > 1 else ''} not shown)"]
    return "\n".join(out)


def _counts(lines: list[str]) -> str:
    counts = next((m.group(1) for line in reversed(lines) if (m := COUNTS.match(line.strip()))), "")
    return f"pytest: {counts}" if counts else "pytest failed"


def _failures(lines: list[str]) -> list[Failure]:
    failures: list[Failure] = []
    inside = False
    current: Failure | None = None
    for line in lines:
        if SECTION.match(line):
            inside, current = True, None
            continue
        if not inside:
            continue
        if m := HEADER.match(line):
            current = Failure(m.group(1))
            failures.append(current)
            continue
        if END.match(line):
            inside, current = False, None
            continue
        if current is not None:
            current.lines.append(line)
    for f in failures:
        f.raw = list(f.lines)
        errors = [x for x in f.lines if x.startswith("E ")]
        f.key = "\n".join(errors) or "\n".join(f.lines)
        f.lines = _essential(f.lines)
    return failures


def _essential(lines: list[str]) -> list[str]:
    """The test's code up to the failing `>` line, every `E` line, and where it failed in the workspace; frames
    of Python, pytest and installed packages (absolute paths) and pytest's `self = <...>` lines are dropped."""
    keep: list[str] = []
    code: list[str] = []  # the first traceback entry's code, kept if that entry is the workspace's
    first_entry = True
    for line in lines:
        if NOISE.match(line):
            continue
        if LOCATION.match(line) or line.startswith(("/", "<frozen ")):
            internal = line.startswith(("/", "<"))  # a frame outside the workspace
            if first_entry and not internal:
                keep = code  # nothing is kept before the first entry ends
            first_entry = False
            if not internal:
                keep.append(line)
            continue
        if line.startswith(("E ", ">")):
            (code if first_entry else keep).append(line.rstrip())
        elif first_entry and line.startswith(" "):
            code.append(line.rstrip())
    return keep if not first_entry else code


def _cap(lines: list[str], n: int) -> list[str]:
    return lines if len(lines) <= n else [*lines[:n - 1], f"[... {len(lines) - n + 1} more lines]"]
