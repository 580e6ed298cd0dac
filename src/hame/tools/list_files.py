"""list_files: the workspace's files as a depth-limited tree, skipping what nobody wants to read."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from ..errors import ToolError
from . import paths
from .base import Args, Tool, ToolContext
from .rg import rg_files

SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv", "env", ".tox", ".mypy_cache",
             ".pytest_cache", ".ruff_cache", "dist", "build", ".hame", ".idea", ".eggs"}
MAX_ENTRIES = 200


class ListArgs(Args):
    path: str = Field(".", description="directory relative to the workspace")
    depth: int = Field(2, ge=1, le=6, description="how many directory levels to show")


class ListFiles(Tool):
    name = "list_files"
    description = (f"List files under a directory as a tree (up to {MAX_ENTRIES} entries). "
                   "Skips .git, virtualenvs, node_modules and git-ignored files.")
    Args = ListArgs

    def run(self, args: ListArgs, ctx: ToolContext) -> str:
        base = paths.resolve(ctx.workspace, args.path)
        if not base.is_dir():
            hint = " (it is a file: use read_file)" if base.is_file() else ""
            raise ToolError(f"{args.path!r} is not a directory{hint}")
        files = [f for f in rg_files(base) if not (set(Path(f).parts[:-1]) & SKIP_DIRS)]
        return render_tree(files, args.depth, paths.relative(ctx.workspace, base))


def render_tree(files: list[str], depth: int, label: str) -> str:
    shown: dict[str, None] = {}
    hidden: dict[str, int] = {}
    for f in sorted(files):
        parts = f.split("/")
        if len(parts) <= depth:
            shown[f] = None
        else:
            key = "/".join(parts[:depth]) + "/"
            hidden[key] = hidden.get(key, 0) + 1
            shown[key] = None
    lines = [f"{k}  ({hidden[k]} files)" if k in hidden else k for k in shown]
    extra = len(lines) - MAX_ENTRIES
    lines = lines[:MAX_ENTRIES] + ([f"[... {extra} more entries; list a subdirectory]"] if extra > 0 else [])
    return f"{label}/ ({len(files)} files)\n" + ("\n".join(lines) if lines else "(empty)")
