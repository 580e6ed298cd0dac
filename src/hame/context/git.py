"""Run git read-only, quickly, and never raise: context gathering must not break a session."""

from __future__ import annotations

import subprocess
from pathlib import Path

GIT_TIMEOUT_S = 3.0
# A workspace's git config and hooks are the model's to write in some setups: hame's own git calls run none of it.
SAFE_GIT: tuple[str, ...] = (
    "git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.untrackedCache=false",
    "-c", "diff.external=", "-c", "core.pager=cat", "-c", "protocol.ext.allow=never",
)  # fmt: skip


def run_git(root: Path, *args: str, timeout: float = GIT_TIMEOUT_S) -> str | None:
    """Return git's stdout, or None when git is missing, fails, or runs past `timeout`."""
    try:
        proc = subprocess.run(
            [*SAFE_GIT, "-c", "core.quotepath=off", *args],
            cwd=root,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", errors="replace")


def git_root(path: Path) -> Path | None:
    """The top of the work tree that contains `path`, or None outside git."""
    out = run_git(path, "rev-parse", "--show-toplevel")
    return Path(out.strip()) if out else None
