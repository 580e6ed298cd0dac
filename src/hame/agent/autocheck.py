"""The configured check (`--check "python -m pytest -q"`): run by hame after every turn that changed a file, its
result appended for the model — a weak model then sees each change judged without having to ask, and a final
answer while the check fails is questioned (see steering). A pytest failure is told briefly: each distinct error
once (context/pytest_report.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..context.clip import clip
from ..context.error_hints import with_hints
from ..context.pytest_report import digest, unittest_counts
from ..tools.base import ToolContext

FILE_TOOLS = frozenset({"write_file", "edit_file", "apply_patch"})
CHECK_TIMEOUT = 300  # seconds, unless the check's run before any change says it is quick
STUCK_FLOOR, STUCK_FACTOR = 60, 5  # ... then: 5x that run's time, at least a minute


@dataclass(frozen=True)
class CheckResult:
    command: str
    passed: bool
    report: str  # what the model sees
    seconds: float = 0.0
    timed_out: bool = False
    exit_code: int | None = None

    def summary(self) -> dict[str, object]:
        """What the final event and `--output-format json` say about the check."""
        return {"command": self.command, "passed": self.passed, "exit_code": self.exit_code,
                "timed_out": self.timed_out, "seconds": round(self.seconds, 3)}


def stuck_after(baseline_s: float) -> int:
    """The check's timeout once a run before any change took `baseline_s`: code that loops forever would otherwise
    hold every check for CHECK_TIMEOUT, most of a bench task's time (docs/tactics.md, early_stop)."""
    return int(min(CHECK_TIMEOUT, max(STUCK_FLOOR, STUCK_FACTOR * baseline_s)))


def run_check(command: str, ctx: ToolContext, *, timeout: int = CHECK_TIMEOUT, max_chars: int = 3000,
              hints: bool = False, concrete: bool = False) -> CheckResult:
    """Run the check; a failure's report is told briefly, with `concrete` each failing test as one line where it
    can be (context/assertions.py), and with `hints` followed by one-line explanations of the Python errors it
    shows (context/error_hints.py)."""
    start = time.monotonic()
    res = ctx.shell(command, timeout)
    seconds = time.monotonic() - start
    passed = res.exit_code == 0 and not res.timed_out
    status = f"killed after {timeout}s: does the code loop forever?" if res.timed_out else f"exit code {res.exit_code}"
    head = f"[hame ran the check `{command}` after your change: {status}]"
    if passed:
        return CheckResult(command, True, f"{head}\nThe check passes. If the task is done, give your final answer.",
                           seconds, exit_code=res.exit_code)
    report = digest(res.output, workspace=ctx.workspace if concrete else None)
    counts = "" if report else unittest_counts(res.output)  # the counts first, where clipping cannot drop them
    body = clip(report or res.output.strip(), max_chars - len(counts), head_share=0.6).text
    body = f"{counts}\n{body}" if counts else body
    body = with_hints(body) if hints else body
    return CheckResult(command, False, f"{head}\n{body}\nFix the code so that the check passes.", seconds,
                       res.timed_out, None if res.timed_out else res.exit_code)


@dataclass
class Checker:
    """The configured check with its timeout: shorter once a run before any change shows the check is quick, and
    after a check that ran out of it, twice that once (a slow suite, not a loop, loses one check)."""

    command: str
    hints: bool = False  # a failure's report explains the Python errors it shows
    concrete: bool = False  # a failure's report tells each failing test as one line where it can
    timeout: int = CHECK_TIMEOUT
    stuck: int = field(default=CHECK_TIMEOUT)

    def run(self, ctx: ToolContext) -> CheckResult:
        result = run_check(self.command, ctx, timeout=self.timeout, hints=self.hints, concrete=self.concrete)
        if result.timed_out:
            self.timeout = min(CHECK_TIMEOUT, 2 * self.stuck)
        return result

    def calibrate(self, first: CheckResult) -> None:
        """Bound the later checks' time by the run before any change (`stuck_after`)."""
        self.timeout = self.stuck = stuck_after(first.seconds)
