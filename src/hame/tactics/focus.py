"""Focus repair: after a near miss (most tests pass), the restart's note shows the file and asks for only the
definitions to fix (tactics/restarts.py); a write of part of that file then replaces only those definitions and
keeps the rest (tools/splice.py)."""

from __future__ import annotations

from pathlib import Path

from ..tools.splice import splice
from .base import Tactic


class Focus(Tactic):
    name = "focus"

    def start(self) -> None:
        if self.splice_in not in self.state.ctx.write_filters:
            self.state.ctx.write_filters.append(self.splice_in)

    def splice_in(self, rel: str, old: str | None, content: str, workspace: Path) -> tuple[str, list[str]]:
        if self.state.focus_file != rel or old is None or not (spliced := splice(old, content)):
            return content, []
        content, names = spliced
        return content, [f"hame put your new {', '.join(names)} in place of the old "
                         f"{'one' if len(names) == 1 else 'ones'} and kept the rest of {rel}."]
