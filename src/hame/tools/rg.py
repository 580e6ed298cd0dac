"""Where ripgrep lives (the `ripgrep` wheel installs `rg` next to the Python executable) and how to call it."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from ..errors import ToolError


@functools.cache
def rg_binary() -> str:
    for candidate in (Path(sysconfig.get_path("scripts")) / "rg", Path(sys.executable).parent / "rg"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("rg")
    if not found:
        raise ToolError("ripgrep (rg) is not installed; install hame's dependencies: pip install ripgrep")
    return found


def run_rg(args: list[str], cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([rg_binary(), *args], cwd=cwd, capture_output=True, text=True, errors="replace",
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ToolError(f"search took longer than {timeout:.0f}s; narrow the path or pattern") from None


def rg_files(base: Path) -> list[str]:
    """Files under base (relative paths), honouring .gitignore, including dotfiles but not .git."""
    proc = run_rg(["--files", "--hidden", "--glob", "!.git", "--sort", "path"], base)
    return [line for line in proc.stdout.splitlines() if line]
