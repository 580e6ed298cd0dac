"""Guessing a workspace's check command (its tests) when none is configured, for profiles that run one after
every change: a small model then sees each change judged without having to ask."""

from __future__ import annotations

from pathlib import Path

from .workspace import test_hints

COMMANDS = {"pytest": "python -m pytest -q -x"}


def guess_check(root: Path) -> str | None:
    for hint in test_hints(root):
        if hint in COMMANDS:
            return COMMANDS[hint]
    top = [p.name for p in root.iterdir() if p.is_file()] if root.is_dir() else []
    if any(n.endswith(".py") and (n.startswith("test_") or n.endswith("_test.py")) for n in top):
        return COMMANDS["pytest"]
    return None
