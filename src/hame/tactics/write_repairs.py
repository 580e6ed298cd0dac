"""Write repairs: write_file repairs a small model's certain mistakes in a whole-file write (tools/writefix.py):
<tool_response> tags copied into the file, missing imports, definitions it dropped."""

from __future__ import annotations

from pathlib import Path

from ..tools.rg import rg_files
from ..tools.writefix import fix_python, identifiers, strip_echo
from .base import Tactic

MAX_SCANNED_FILES = 300


def fixed_content(rel: str, old: str | None, content: str, workspace: Path) -> tuple[str, list[str]]:
    """`content` with a small model's certain mistakes repaired (tools/writefix.py), and what was done."""
    notes = []
    unechoed = strip_echo(content)
    if unechoed.strip() != content.strip():
        content = unechoed
        notes.append("hame removed the <tool_response> tags you copied into the file.")
    if rel.endswith(".py"):

        def others() -> set[str]:
            files = [f for f in rg_files(workspace) if f.endswith(".py") and f != rel][:MAX_SCANNED_FILES]
            return identifiers(workspace / f for f in files)

        content, fixes = fix_python(old, content, others)
        notes += fixes
    return content, notes


class WriteRepairs(Tactic):
    name = "write_repairs"

    def start(self) -> None:
        if fixed_content not in self.state.ctx.write_fixes:
            self.state.ctx.write_fixes.append(fixed_content)
