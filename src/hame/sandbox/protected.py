"""Paths no tool may change, in any mode: a workspace's git directory (wherever its `.git` file points, and any
directory that looks like a git directory by its content), `.hame`, and hame's own config, state and cache.
Code written there would run outside the sandbox later (git hooks, `core.fsmonitor`, hame hooks and MCP servers)."""

from __future__ import annotations

import os
from pathlib import Path

PROTECTED_NAMES = (".git", ".hame")


def hame_dirs() -> list[Path]:
    """Every directory where hame keeps config, state or cache, wherever the environment puts them."""
    home = Path.home()
    env = os.environ
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "hame"
    state = Path(env.get("XDG_STATE_HOME") or home / ".local/state") / "hame"
    cache = Path(env.get("XDG_CACHE_HOME") or home / ".cache") / "hame"
    found = [config, state, cache, home / ".config/hame", home / ".local/state/hame"]
    found += [Path(env[name]).expanduser() for name in ("HAME_STATE_DIR", "HAME_CACHE_DIR") if env.get(name)]
    return list(dict.fromkeys(found))


def looks_like_git_dir(path: Path) -> bool:
    """A git directory by content (a renamed or copied `.git` too): it holds `HEAD` and `objects/`."""
    try:
        return (path / "HEAD").is_file() and (path / "objects").is_dir()
    except OSError:
        return False


def git_dirs(workspace: Path) -> list[Path]:
    """The real git directory of `workspace` (following a `gitdir:` file) and its common dir (worktrees)."""
    dot = workspace / ".git"
    if dot.is_dir():
        found = [Path(os.path.realpath(dot))]
    elif dot.is_file():
        target = _gitdir_pointer(dot)
        found = [target] if target is not None else []
    else:
        return []
    for gd in list(found):
        common = gd / "commondir"
        if common.is_file():
            try:
                found.append(Path(os.path.realpath(gd / common.read_text(encoding="utf-8").strip())))
            except (OSError, UnicodeDecodeError):
                pass
    return [p for p in dict.fromkeys(found) if p.is_dir()]


def _gitdir_pointer(dot: Path) -> Path | None:
    try:
        text = dot.read_text(encoding="utf-8", errors="replace")[:4096].strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    return Path(os.path.realpath(dot.parent / text[len("gitdir:"):].strip()))


def protected_reason(workspace: Path, target: Path) -> str | None:
    """Why a tool must not create, change or delete `target` (a path inside `workspace`), or None."""
    root = Path(os.path.realpath(workspace))
    real = Path(os.path.realpath(target))
    for guarded in (*git_dirs(root), *hame_dirs()):
        if real == guarded or real.is_relative_to(os.path.realpath(guarded)):
            return f"it is inside {'hame' if guarded in hame_dirs() else 'the git'} directory {guarded}"
    rel = real.relative_to(root) if real.is_relative_to(root) else None
    if rel is None:
        return None
    for name in rel.parts:
        if name in PROTECTED_NAMES:
            what = "git hooks and config run code" if name == ".git" else "hame's config names hooks and servers"
            return f"{name}: {what}"
    folder = real.parent
    while folder != root and folder.is_relative_to(root):
        if looks_like_git_dir(folder):
            return f"{folder.relative_to(root).as_posix()} looks like a git directory (it holds HEAD and objects/)"
        folder = folder.parent
    return None


def refusal(rel: str, reason: str) -> str:
    """The message the model gets for a write to a protected path."""
    return (f"Refused: {rel} is protected ({reason}); no tool may change it in any mode, because code there would "
            "run outside the sandbox. Leave it alone; if the change is really needed, tell the user what to change "
            "and why in your answer.")


def refuse_protected(workspace: Path, target: Path, rel: str) -> None:
    """Raise the model's ToolError when `target` is protected."""
    from ..errors import ToolError

    reason = protected_reason(workspace, target)
    if reason is not None:
        raise ToolError(refusal(rel, reason))
