"""write_file: create or overwrite a whole file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import Field

from ..errors import ToolError
from . import paths
from .base import Args, Tool, ToolContext
from .fileio import after_write, check_write, read_text_for_edit, write_text
from .rg import rg_files


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
        if old is None:
            check_new_path(path, rel, args.content, ctx)
        content, notes = args.content, []
        for change in ctx.write_filters:
            content, more = change(rel, old, content, ctx.workspace)
            notes += more
        check_write(rel, old, content, ctx)  # what the model wrote: the repairs below must not hide a fragment
        for change in ctx.write_fixes:
            content, more = change(rel, old, content, ctx.workspace)
            notes += more
        fixed = "".join(f" {n}" for n in notes)
        write_text(path, content, ctx, rel)
        n = content.count("\n") + (0 if content.endswith("\n") or not content else 1)
        done = f"{'Overwrote' if old is not None else 'Created'} {rel} ({n} lines).{fixed}"
        return done + after_write(rel, old, content)


def check_new_path(path: Path, rel: str, content: str, ctx: ToolContext) -> None:
    """A new file in a directory that does not exist, named like an existing file elsewhere, is most likely a
    wrong path (small models invent `src/`): refused once, naming the existing file."""
    if path.parent.exists():
        return
    same = [f for f in rg_files(ctx.workspace) if Path(f).name == path.name][:3]
    key = (rel, hashlib.sha1(content.encode()).hexdigest())
    if same and key not in ctx.confirmed_writes:
        ctx.confirmed_writes.add(key)
        raise ToolError(f"{rel} does not exist (nor does its directory), but {', '.join(same)} does. To change "
                        f"that file, use path \"{same[0]}\". To really create {rel}, send the same call again.")
