"""List a repository's files: git's view when there is one, otherwise a pruned directory walk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hame.context.git import run_git

SKIP_DIRS = frozenset(
    {
        "node_modules", "__pycache__", "venv", "site-packages", "build", "dist", "target", "vendor",
        "coverage", "htmlcov",
    }
)  # fmt: skip
LIST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class FileListing:
    paths: list[str]  # posix paths relative to the root, sorted
    truncated: bool  # True when `limit` cut the listing short
    from_git: bool


def list_files(root: Path, limit: int = 200_000) -> FileListing:
    """Tracked plus untracked-but-not-ignored files under `root`, or a walk outside git."""
    out = run_git(root, "ls-files", "-z", "-co", "--exclude-standard", timeout=LIST_TIMEOUT_S)
    if out is not None:
        paths = sorted({p for p in out.split("\0") if p})
        return FileListing(paths[:limit], len(paths) > limit, from_git=True)
    paths, truncated = walk_files(root, limit)
    return FileListing(sorted(paths), truncated, from_git=False)


def skip_dir(parent: str, name: str) -> bool:
    if name.startswith(".") or name in SKIP_DIRS or name.endswith(".egg-info"):
        return True
    return os.path.exists(os.path.join(parent, name, "pyvenv.cfg"))


def walk_files(root: Path, limit: int) -> tuple[list[str], bool]:
    """Walk `root` in a stable order, skipping hidden, vendored and build folders."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not skip_dir(dirpath, d))
        rel = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if len(found) >= limit:
                return found, True
            found.append(prefix + name)
    return found, False
