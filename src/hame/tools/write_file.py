"""write_file: create or overwrite a whole file."""

from __future__ import annotations

from pydantic import Field

from ..errors import ToolError
from . import paths
from .base import Args, Tool, ToolContext
from .fileio import after_write, check_write, read_text_for_edit, write_text


class WriteArgs(Args):
    path: str = Field(description="file path relative to the workspace")
    content: str = Field(description="the complete new content of the file")


class WriteFile(Tool):
    name = "write_file"
    description = "Create a file, or replace a file's whole content. Give the complete content, not a diff."
    Args = WriteArgs
    mutating = True

    def run(self, args: WriteArgs, ctx: ToolContext) -> str:
        path = paths.resolve(ctx.workspace, args.path)
        if path.is_dir():
            raise ToolError(f"{args.path!r} is a directory")
        rel = paths.relative(ctx.workspace, path)
        old = read_text_for_edit(path, rel, ctx, must_exist=False)
        check_write(rel, old, args.content, ctx)
        write_text(path, args.content, ctx, rel)
        n = args.content.count("\n") + (0 if args.content.endswith("\n") or not args.content else 1)
        done = f"{'Overwrote' if old is not None else 'Created'} {rel} ({n} lines)."
        return done + after_write(rel, old, args.content)
