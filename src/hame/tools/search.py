"""search: ripgrep over the workspace, results capped and long lines clipped."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from ..errors import ToolError
from . import paths
from .base import Args, Tool, ToolContext
from .rg import run_rg

MAX_MATCHES = 60


class SearchArgs(Args):
    pattern: str = Field(description="regular expression (ripgrep syntax)")
    path: str = Field(".", description="directory or file to search, relative to the workspace")
    glob: str | None = Field(None, description="only files matching this glob, e.g. '*.py'")


class Search(Tool):
    name = "search"
    description = f"Search file contents with a regex (ripgrep); shows up to {MAX_MATCHES} matching lines, by file."
    Args = SearchArgs

    def run(self, args: SearchArgs, ctx: ToolContext) -> str:
        base = paths.resolve(ctx.workspace, args.path)
        if not base.exists():
            raise ToolError(f"No such path: {args.path!r}")
        rg_args = ["--line-number", "--heading", "--color", "never", "--max-columns", "300",
                   "--max-columns-preview", "--hidden", "--glob", "!.git", "--sort", "path"]
        if args.glob:
            rg_args += ["--glob", args.glob]
        target = paths.relative(ctx.workspace, base)
        where = [] if target == "." else ["--", target]
        proc = run_rg([*rg_args, "-e", args.pattern, *where], ctx.workspace)
        if proc.returncode == 2 and not proc.stdout:
            raise ToolError(f"search failed: {proc.stderr.strip()[:500]}")
        lines, hidden = without_denied(proc.stdout.splitlines(), ctx.read_denied)
        note = f"\n[{hidden} file(s) left out: a deny rule keeps them from being read]" if hidden else ""
        if not "".join(lines).strip():
            return f"No matches for {args.pattern!r} in {target}." + note
        return cap_matches(lines, MAX_MATCHES) + note


def without_denied(lines: list[str], denied: Callable[[str], str | None] | None) -> tuple[list[str], int]:
    """rg --heading output without the blocks of files a deny rule keeps from reading, and how many were left out."""
    if denied is None:
        return lines, 0
    out: list[str] = []
    skipping, hidden, heading = False, 0, True
    for line in lines:
        if heading and line:
            skipping = denied(line) is not None
            hidden += skipping
        heading = not line
        if not skipping:
            out.append(line)
    return out, hidden


def cap_matches(lines: list[str], cap: int) -> str:
    """rg --heading output (a path line, then `line:text` lines, blank between files) cut after `cap` matches."""
    out: list[str] = []
    matches = 0
    for line in lines:
        is_match = line[:1].isdigit() and ":" in line
        if is_match and matches == cap:
            break
        matches += is_match
        out.append(line)
    total = sum(1 for line in lines if line[:1].isdigit() and ":" in line)
    more = f"\n[{total - matches} more matches not shown; narrow the pattern, path or glob]" if total > matches else ""
    return "\n".join(out).strip() + more
