"""edit_file: replace a unique snippet of a file; a miss or several matches say exactly what was found."""

from __future__ import annotations

from pydantic import Field

from ..errors import ToolError
from . import paths
from .base import Args, Tool, ToolContext
from .fileio import after_write, check_write, read_text_for_edit, write_text
from .matching import apply_edit


class EditArgs(Args):
    path: str = Field(description="file path relative to the workspace")
    old_text: str = Field(description="the exact text to replace, copied from the file (without line numbers)")
    new_text: str = Field(description="the replacement text")
    replace_all: bool = Field(False, description="replace every occurrence instead of exactly one")


class EditFile(Tool):
    name = "edit_file"
    description = ("Replace old_text with new_text in a file. old_text must match exactly one place "
                   "(include a few surrounding lines to make it unique).")
    Args = EditArgs
    mutating = True

    def run(self, args: EditArgs, ctx: ToolContext) -> str:
        path = paths.resolve(ctx.workspace, args.path)
        rel = paths.relative(ctx.workspace, path)
        old = read_text_for_edit(path, rel, ctx, must_exist=True)
        assert old is not None
        if not args.old_text:
            raise ToolError("old_text is empty; to create or rewrite a whole file use write_file")
        outcome = apply_edit(old, args.old_text, args.new_text, args.replace_all)
        if not outcome.ok or outcome.content is None:
            raise ToolError(f"{outcome.message}")
        check_write(rel, old, outcome.content, ctx)
        write_text(path, outcome.content, ctx, rel)
        how = "" if outcome.strategy == "exact" else f" (matched ignoring {outcome.strategy})"
        return f"Edited {rel}{how}." + after_write(rel, old, outcome.content)
