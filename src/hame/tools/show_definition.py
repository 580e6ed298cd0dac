"""show_definition: one function, method or class by name, with its class header and the module's imports, so a
model reads the code it must change without paging through a large file."""

from __future__ import annotations

import difflib
from pathlib import Path

from pydantic import Field

from ..context.defindex import SourceFile, find_symbol, index_repository, index_source
from ..context.show import render_definition, render_outline
from ..errors import ToolError
from . import paths
from .base import Args, FileView, Tool, ToolContext

MAX_MATCHES = 3
MAX_LINES = 400  # a longer definition (a big class) is shown as an outline of what it holds


class ShowArgs(Args):
    symbol: str = Field(description="a function, class or method name: `parse`, `Table.to_text`")
    path: str | None = Field(None, description="the file it is in (default: search the workspace)")


class ShowDefinition(Tool):
    name = "show_definition"
    description = (f"Show a definition by name with line numbers: a function, a class (an outline past "
                   f"{MAX_LINES} lines) or a method (`Class.method`), with its class header and the module's imports.")
    Args = ShowArgs

    def run(self, args: ShowArgs, ctx: ToolContext) -> str:
        files = self.index(args.path, ctx.workspace)
        found = find_symbol(files, args.symbol)
        if not found:
            raise ToolError(not_found(args.symbol, args.path, files))
        blocks = []
        for span in found[:MAX_MATCHES]:
            source = files[span.path]
            whole = span.end - span.start < MAX_LINES
            blocks.append((render_definition if whole else render_outline)(source, span) or
                          render_definition(source, span))
            remember(ctx, span.path)
        more = len(found) - MAX_MATCHES
        if more > 0:
            blocks.append(f"[{more} more named {args.symbol!r}: " +
                          ", ".join(s.ref for s in found[MAX_MATCHES:]) + "; give path= to pick one]")
        return "\n\n".join(blocks)

    def index(self, path: str | None, workspace: Path) -> dict[str, SourceFile]:
        if path is None:
            return index_repository(workspace)
        full = paths.resolve(workspace, path)
        rel = paths.relative(workspace, full)
        if not full.is_file():
            raise ToolError(f"No such file: {path!r}. Leave out path to search the whole workspace.")
        indexed = index_source(rel, full.read_text(errors="replace"))
        if indexed is None:
            raise ToolError(f"{rel}: no parser for this language here; use read_file.")
        return {rel: indexed}


def not_found(symbol: str, path: str | None, files: dict[str, SourceFile]) -> str:
    """The refusal, with the closest definition names to send next."""
    names = sorted({s.qualname for f in files.values() for s in f.spans})
    close = difflib.get_close_matches(symbol, names, n=5, cutoff=0.5)
    where = f"in {path}" if path else "in the workspace"
    hint = f" Closest: {', '.join(close)}." if close else " Use read_file to look for it."
    return f"No definition named {symbol!r} {where}.{hint}"


def remember(ctx: ToolContext, rel: str) -> None:
    """Record the file's state as seen, so an edit after this is checked against it (as after read_file)."""
    st = (ctx.workspace / rel).stat()
    view = ctx.seen.get(rel)
    if not view or (view.mtime_ns, view.size) != (st.st_mtime_ns, st.st_size):
        ctx.seen[rel] = FileView(st.st_mtime_ns, st.st_size, ctx.step)
