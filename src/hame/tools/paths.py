"""Confine every path argument to the workspace: `..`, absolute paths outside it and symlinks that lead out
are refused. Saved full tool outputs (under the session directory) may be read, never written."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ToolError


def resolve(ctx_workspace: Path, path: str, *, extra_readable: Path | None = None) -> Path:
    if not path or "\x00" in path:
        raise ToolError("path must be a non-empty file path relative to the workspace")
    root = Path(os.path.realpath(ctx_workspace))
    raw = Path(os.path.expanduser(path))
    candidate = raw if raw.is_absolute() else root / raw
    real = Path(os.path.realpath(candidate))
    if real == root or real.is_relative_to(root):
        return real
    if extra_readable is not None:
        extra = Path(os.path.realpath(extra_readable))
        if real.is_relative_to(extra):
            return real
    raise ToolError(f"{path!r} is outside the workspace ({root}); only paths inside it can be used. "
                    "Use a path relative to the workspace root.")


def relative(ctx_workspace: Path, real: Path) -> str:
    root = Path(os.path.realpath(ctx_workspace))
    try:
        return real.relative_to(root).as_posix() or "."
    except ValueError:
        return str(real)
