"""The configured check (`--check "python -m pytest -q"`): run by hame after every turn that changed a file, its
result appended for the model — a weak model then sees each change judged without having to ask, and a final
answer while the check fails is questioned (see steering). A pytest failure is told briefly: each distinct error
once (context/pytest_report.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..context.clip import clip
from ..context.pytest_report import digest
from ..permissions.sandbox import run_command
from ..tools.base import ToolContext

FILE_TOOLS = frozenset({"write_file", "edit_file", "apply_patch"})


@dataclass(frozen=True)
class CheckResult:
    command: str
    passed: bool
    report: str  # what the model sees


def run_check(command: str, ctx: ToolContext, *, timeout: int = 300, max_chars: int = 3000) -> CheckResult:
    res = run_command(command, ctx.workspace, timeout=timeout, sandbox=ctx.sandbox,  # type: ignore[arg-type]
                      workspace=ctx.workspace, network=ctx.network)
    passed = res.exit_code == 0 and not res.timed_out
    status = f"killed after {timeout}s" if res.timed_out else f"exit code {res.exit_code}"
    head = f"[hame ran the check `{command}` after your change: {status}]"
    if passed:
        return CheckResult(command, True, f"{head}\nThe check passes. If the task is done, give your final answer.")
    body = clip(digest(res.output) or res.output.strip(), max_chars, head_share=0.6).text
    return CheckResult(command, False, f"{head}\n{body}\nFix the code so that the check passes.")
