"""search: ripgrep over the workspace, results capped and long lines clipped."""

from __future__ import annotations

from pydantic import Field

from ..errors import ToolError
from . import paths
from .base import Args, Tool, ToolContext
from .rg import run_rg

MAX_MATCHES = 100


class SearchArgs(Args):
    pattern: str = Field(description="regular expression (ripgrep syntax)")
    path: str = Field(".", description="directory or file to search, relative to the workspace")
    glob: str | None = Field(None, description="only files matching this glob, e.g. '*.py'")


class Search(Tool):
    name = "search"
    description = f"Search file contents with a regex (ripgrep); up to {MAX_MATCHES} matching lines as path:line:text."
    Args = SearchArgs

    def run(self, args: SearchArgs, ctx: ToolContext) -> str:
        base = paths.resolve(ctx.workspace, args.path)
        if not base.exists():
            raise ToolError(f"No such path: {args.path!r}")
        rg_args = ["--line-number", "--no-heading", "--color", "never", "--max-columns", "300",
                   "--max-columns-preview", "--hidden", "--glob", "!.git", "--sort", "path"]
        if args.glob:
            rg_args += ["--glob", args.glob]
        target = paths.relative(ctx.workspace, base)
        proc = run_rg([*rg_args, "-e", args.pattern, "--", target], ctx.workspace)
        if proc.returncode == 2 and not proc.stdout:
            raise ToolError(f"search failed: {proc.stderr.strip()[:500]}")
        lines = proc.stdout.splitlines()
        if not lines:
            return f"No matches for {args.pattern!r} in {target}."
        shown = lines[:MAX_MATCHES]
        more = len(lines) - len(shown)
        tail = f"\n[{more} more matches not shown; narrow the pattern, path or glob]" if more else ""
        return "\n".join(shown) + tail
