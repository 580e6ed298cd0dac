"""Change definitions, not files: on a repository (context/repo_view.py), a write of only some definitions of an
existing Python file replaces just those and keeps the rest of it (tools/splice.py), so a small model never
re-types a long module; a write that would replace a large file with much less, and is not such a part, is refused
(not once: always) with the definition-level way to do it. Definitions copied with the view's line numbers are
placed without them, and a reply cut off at the output limit keeps the definitions it had finished."""

from __future__ import annotations

import ast
from pathlib import Path

from ..context.repo_view import looks_like_repository
from ..context.testfiles import TEST_NAME
from ..errors import ToolError
from ..tools.paths import resolve
from ..tools.rg import rg_files
from ..tools.splice import complete_definitions, splice
from ..tools.writefix import strip_line_numbers
from .base import Reply, Tactic

LARGE_LINES = 150  # a file this long is not re-typed by a small model: a much shorter write of it is a fragment
CUT = ("length", "repetition")  # finish reasons of a reply cut off while it streamed
SHORTER = 0.5  # a write under this share of a large file's characters replaces it with a fragment
REFUSED = ("Refused: {rel} has {old:,} lines and you sent {new:,} lines that hame cannot put in place as "
           "definitions of it ({why}), so {rel} was not changed and must not be replaced whole. Send only the "
           "functions, classes or methods you change, each complete and with its `def`/`class` line (a method "
           "inside its `class` line): {how}. hame puts them in place of the old ones and keeps the rest of {rel}.")


def will_act(tactics: tuple[str, ...], workspace: Path) -> bool:
    """Whether this tactic acts on `workspace`: the system prompt, built before it does, then asks for definitions."""
    return Definitions.name in tactics and looks_like_repository(workspace)


class Definitions(Tactic):
    name = "definition_edits"

    def frame(self, task: str) -> str:
        s = self.state
        if not s.definitions and looks_like_repository(s.ctx.workspace):
            s.definitions = True
            s.ctx.write_filters.append(self.splice_in)
            s.ctx.write_guards.append(self.fragment)
        return task

    def splice_in(self, rel: str, old: str | None, content: str, workspace: Path) -> tuple[str, list[str]]:
        if old is None or not rel.endswith(".py") or TEST_NAME.search(rel):
            return content, []
        unnumbered = strip_line_numbers(content)
        if not (spliced := splice(old, unnumbered or content)):
            return content, []
        content, names = spliced
        dropped = " without the line numbers you copied" if unnumbered else ""
        return content, [f"hame put your {', '.join(names)} in place{dropped} and kept the rest of {rel}."]

    def judge(self, reply: Reply) -> None:
        """A reply cut off while it streamed (the output limit, a loop) keeps the definitions it had finished, when
        they can be put in place in an existing file; the unfinished one is dropped. Definitions written to a path
        that does not exist go to the one file whose path ends with it, when they fit in it."""
        s = self.state
        if s.definitions:
            self._redirect(reply)
        if not s.definitions or not reply.problem or reply.response.finish_reason not in CUT:
            return
        call = s.protocol.cut_write(reply.response.text)
        rel = str(call.arguments.get("path", "")) if call else ""
        if not call or not rel.endswith(".py") or TEST_NAME.search(rel):
            return
        content = str(call.arguments.get("content", ""))
        kept = complete_definitions(strip_line_numbers(content, whole=False) or content)
        try:
            old = resolve(s.ctx.workspace, rel).read_text(encoding="utf-8")
        except (ToolError, OSError, UnicodeDecodeError):
            return
        if kept is None or (spliced := splice(old, kept)) is None:
            return
        reply.calls, reply.problem = [s.protocol.write_call(rel, kept)], None
        s.notice(f"the reply was cut off ({reply.response.finish_reason}); the definitions it finished are kept: "
                 f"{', '.join(spliced[1])}")

    def _redirect(self, reply: Reply) -> None:
        """`mlib/text.py` for `src/mlib/text.py`: a small model drops the part of a path above the package. A write
        there would make a new module no test imports; its definitions go where they fit instead."""
        ws = self.state.ctx.workspace
        for i, call in enumerate(reply.calls):
            rel = str(call.arguments.get("path", "")).removeprefix("./") if call.name == "write_file" else ""
            if not rel.endswith(".py") or TEST_NAME.search(rel):
                continue
            try:
                if resolve(ws, rel).exists():
                    continue
            except ToolError:
                continue
            same = [f for f in rg_files(ws) if f.endswith("/" + rel)]
            content = str(call.arguments.get("content", ""))
            try:
                old = (ws / same[0]).read_text(encoding="utf-8") if len(same) == 1 else None
            except (OSError, UnicodeDecodeError):
                continue
            if old is not None and splice(old, strip_line_numbers(content) or content) is not None:
                reply.calls[i] = self.state.protocol.write_call(same[0], content)
                self.state.notice(f"{rel} does not exist: its definitions go to {same[0]}, whose path ends with it")

    def fragment(self, rel: str, old: str | None, new: str, workspace: Path) -> str | None:
        """The refusal of a much shorter write over a large Python file (a part that splice_in could not place)."""
        if old is None or not rel.endswith(".py") or old.count("\n") < LARGE_LINES or len(new) >= SHORTER * len(old):
            return None
        how = (f"{rel} on one line, then one fenced block holding them" if self.state.protocol.mode == "whole"
               else f"one write_file call for {rel} whose content is only those definitions")
        return REFUSED.format(rel=rel, old=old.count("\n"), new=new.count("\n") + 1, why=_why(old, new), how=how)


def _why(old: str, new: str) -> str:
    """What kept a short write from being placed as definitions."""
    try:
        tree = ast.parse(new)
    except SyntaxError as exc:
        return f"it does not parse: {exc.msg} at line {exc.lineno}"
    if not any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for n in tree.body):
        return "it defines no function or class"
    return "with them in place the file would not parse"
