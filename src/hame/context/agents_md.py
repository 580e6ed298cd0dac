"""Instruction files (AGENTS.md, or CLAUDE.md as a fallback) from the user config and the repository.

Order, most general first: the user's `~/.config/hame/AGENTS.md`, then one file per directory from the repo
root down to the working directory. Files in other subdirectories are added later, when the agent first
touches a file under them (`InstructionTracker.on_touch`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

FILE_NAMES = ("AGENTS.md", "CLAUDE.md")  # the first one present in a directory wins
DEFAULT_CAP_CHARS = 8000


@dataclass(frozen=True)
class InstructionFile:
    path: Path
    text: str
    truncated: bool


def default_user_config_dir() -> Path:
    """`$XDG_CONFIG_HOME/hame`, else `~/.config/hame`."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "hame"


def instruction_files(
    root: Path, cwd: Path, user_config_dir: Path | None = None, cap_chars: int = DEFAULT_CAP_CHARS
) -> list[InstructionFile]:
    """The user's file, then the root's, then each directory's down to `cwd`; each capped at `cap_chars`."""
    config_dir = user_config_dir if user_config_dir is not None else default_user_config_dir()
    found = [load_instruction(config_dir / "AGENTS.md", cap_chars)]
    found += [load_instruction(path, cap_chars) for path in repo_instruction_paths(root, cwd)]
    return [item for item in found if item is not None]


def repo_instruction_paths(root: Path, cwd: Path) -> list[Path]:
    return [path for d in dirs_between(root, cwd) if (path := pick_file(d)) is not None]


def dirs_between(root: Path, target: Path) -> list[Path]:
    """`root`, then each directory down to `target`; just `[root]` when `target` is not under it."""
    root, target = root.resolve(), target.resolve()
    try:
        parts = target.relative_to(root).parts
    except ValueError:
        return [root]
    return [root.joinpath(*parts[:i]) for i in range(len(parts) + 1)]


def pick_file(directory: Path) -> Path | None:
    for name in FILE_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def load_instruction(path: Path, cap_chars: int) -> InstructionFile | None:
    """Read one file; None when missing or blank. A cut file says so, and where the rest is."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text:
        return None
    if len(text) <= cap_chars:
        return InstructionFile(path, text, truncated=False)
    cut = text.rfind("\n", 0, cap_chars)
    cut = cut if cut > cap_chars // 2 else cap_chars
    note = f"[... truncated: {len(text) - cut} more chars in {path}]"
    return InstructionFile(path, text[:cut].rstrip() + "\n" + note, truncated=True)


def render_instructions(files: list[InstructionFile]) -> str:
    """One block per file, headed by its path, most general first."""
    return "\n\n".join(f"# Instructions from {item.path}\n\n{item.text}" for item in files)


class InstructionTracker:
    """Loads the startup instructions once, then adds a subdirectory's file when a path under it is touched."""

    def __init__(
        self, root: Path, cwd: Path, user_config_dir: Path | None = None, cap_chars: int = DEFAULT_CAP_CHARS
    ) -> None:
        self.root = root.resolve()
        self.cwd = cwd.resolve()
        self.cap_chars = cap_chars
        self.initial = instruction_files(self.root, self.cwd, user_config_dir, cap_chars)
        self.seen_dirs: set[Path] = set(dirs_between(self.root, self.cwd))

    def on_touch(self, path: Path) -> list[InstructionFile]:
        """Instruction files between the root and `path`'s folder that were not loaded yet (outermost first)."""
        target = path if path.is_absolute() else self.cwd / path
        folder = target.resolve() if target.is_dir() else target.resolve().parent
        if not folder.is_relative_to(self.root):
            return []
        fresh = [d for d in dirs_between(self.root, folder) if d not in self.seen_dirs]
        self.seen_dirs.update(fresh)
        found = [load_instruction(p, self.cap_chars) for d in fresh if (p := pick_file(d)) is not None]
        return [item for item in found if item is not None]
