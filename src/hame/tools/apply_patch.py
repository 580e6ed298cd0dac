"""apply_patch: a unified diff or a Codex `*** Begin Patch` block, applied all-or-nothing; hunks are found by
their text, so wrong line numbers are tolerated, and an ambiguous hunk is refused."""

from __future__ import annotations

from pydantic import Field

from ..errors import ToolError
from ..sandbox.protected import refuse_protected
from . import paths
from .base import Args, Tool, ToolContext
from .fileio import after_write, check_write, read_text_for_edit, write_text
from .patchfmt import apply_patch


class PatchArgs(Args):
    patch: str = Field(description="a unified diff (--- a/f, +++ b/f, @@ hunks) or a *** Begin Patch block")


class ApplyPatch(Tool):
    name = "apply_patch"
    description = ("Apply a patch (unified diff, or *** Begin Patch / *** Update File: / *** Add File: / "
                   "*** Delete File:) to one or more files. Nothing is written unless every hunk applies.")
    Args = PatchArgs
    mutating = True

    def run(self, args: PatchArgs, ctx: ToolContext) -> str:
        originals: dict[str, str | None] = {}

        def reader(rel: str) -> str | None:
            path = paths.resolve(ctx.workspace, rel)
            originals[rel] = read_text_for_edit(path, rel, ctx, must_exist=False)
            return originals[rel]

        outcome = apply_patch(reader, args.patch)
        if not outcome.ok:
            raise ToolError("The patch was not applied (nothing changed):\n" + "\n".join(outcome.errors or
                                                                                        ["it changes no file"]))
        for rel, new in outcome.files.items():
            refuse_protected(ctx.workspace, paths.resolve(ctx.workspace, rel), rel)
            if new is not None:
                check_write(rel, originals.get(rel), new, ctx)
        notes = []
        for rel, new in outcome.files.items():
            path = paths.resolve(ctx.workspace, rel)
            if new is None:
                path.unlink(missing_ok=True)
                ctx.changed(rel)
                notes.append(f"Deleted {rel}.")
            else:
                write_text(path, new, ctx, rel)
                notes.append(f"Patched {rel}." + after_write(rel, originals.get(rel), new))
        return "\n".join(notes)
