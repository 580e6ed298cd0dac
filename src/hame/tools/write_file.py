"""write_file: create or overwrite a whole file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import Field

from ..errors import ToolError
from . import paths
from .base import Args, Tool, ToolContext
from .fileio import after_write, check_write, copied_tests, read_text_for_edit, write_text
from .rg import rg_files
from .salvage import salvage
from .splice import splice
from .writefix import fix_python, identifiers, strip_echo


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
        if ctx.protect_tests and copied_tests(rel, content, ctx.workspace) and (kept := salvage(rel, content,
                                                                                                ctx.workspace)):
            content, note = kept
            notes.append(note)
        if ctx.splice_into == rel and old is not None and (spliced := splice(old, content)):
            content, names = spliced
            notes.append(f"hame put your new {', '.join(names)} in place of the old "
                         f"{'one' if len(names) == 1 else 'ones'} and kept the rest of {rel}.")
        check_write(rel, old, content, ctx)  # what the model wrote: hame's repairs below must not hide a fragment
        if ctx.fix_writes:
            content, fixes = fixed_content(rel, old, content, ctx)
            notes += fixes
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


MAX_SCANNED_FILES = 300


def fixed_content(rel: str, old: str | None, content: str, ctx: ToolContext) -> tuple[str, list[str]]:
    """`content` with a small model's certain mistakes repaired (tools/writefix.py), and what was done."""
    notes = []
    unechoed = strip_echo(content)
    if unechoed.strip() != content.strip():
        content = unechoed
        notes.append("hame removed the <tool_response> tags you copied into the file.")
    if rel.endswith(".py"):

        def others() -> set[str]:
            files = [f for f in rg_files(ctx.workspace) if f.endswith(".py") and f != rel][:MAX_SCANNED_FILES]
            return identifiers(ctx.workspace / f for f in files)

        content, fixes = fix_python(old, content, others)
        notes += fixes
    return content, notes
