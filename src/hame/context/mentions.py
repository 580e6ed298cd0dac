"""Files named in the task, attached to it up front (as Aider's files-in-chat are): a small model then sees the
code it must change without spending steps, and tokens of tool-call boilerplate, to find and read it."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

PATHLIKE = re.compile(r"[\w./-]*\w\.\w{1,8}\b")


def mentioned_files(task: str, workspace: Path, max_chars: int = 16000) -> list[tuple[str, str]]:
    """(relative path, text) of existing text files inside the workspace that the task names, within a budget."""
    root = os.path.realpath(workspace)
    found: list[tuple[str, str]] = []
    used = 0
    for name in dict.fromkeys(m.group(0).lstrip("./") for m in PATHLIKE.finditer(task)):
        path = os.path.realpath(os.path.join(root, name))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            continue
        data = Path(path).read_bytes()
        if b"\x00" in data[:8192] or used + len(data) > max_chars:
            continue
        used += len(data)
        found.append((os.path.relpath(path, root), data.decode("utf-8", errors="replace")))
    return found


def attach(task: str, files: list[tuple[str, str]], targets: Sequence[str] = ()) -> str:
    """The files first — those to change (`targets`) last — then the task: what a small model reads last before it
    writes is the request and the code to change, not the tests (it then tends to write test code)."""
    if not files:
        return task
    ordered = sorted(files, key=lambda f: f[0] in targets)
    blocks = [f"## {rel}\n```\n{text}{'' if text.endswith(chr(10)) else chr(10)}```" for rel, text in ordered]
    return "# Files named in the task (current content)\n" + "\n".join(blocks) + "\n\n# Task\n" + task
