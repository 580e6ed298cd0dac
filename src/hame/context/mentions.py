"""Files named in the task, attached to it up front (as Aider's files-in-chat are): a small model then sees the
code it must change without spending steps, and tokens of tool-call boilerplate, to find and read it."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PATHLIKE = re.compile(r"[\w./-]*\w\.\w{1,8}\b")


ATTACH_BUDGET = 16000  # characters of named files attached to the task, all together


@dataclass(frozen=True)
class Mentioned:
    files: list[tuple[str, str]]  # (relative path, text) attached
    too_large: list[tuple[str, int]]  # (relative path, characters) named but left out: over the budget


def mentioned_files(task: str, workspace: Path, max_chars: int = ATTACH_BUDGET) -> list[tuple[str, str]]:
    """(relative path, text) of existing text files inside the workspace that the task names, within a budget."""
    return named_files(task, workspace, max_chars).files


def named_files(task: str, workspace: Path, max_chars: int = ATTACH_BUDGET) -> Mentioned:
    """The text files the task names that fit `max_chars` together, and those that did not fit."""
    root = os.path.realpath(workspace)
    found: list[tuple[str, str]] = []
    too_large: list[tuple[str, int]] = []
    used = 0
    for name in dict.fromkeys(m.group(0).lstrip("./") for m in PATHLIKE.finditer(task)):
        path = os.path.realpath(os.path.join(root, name))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            continue
        data = Path(path).read_bytes()
        if b"\x00" in data[:8192]:
            continue
        rel = os.path.relpath(path, root)
        if used + len(data) > max_chars:
            too_large.append((rel, len(data)))
            continue
        used += len(data)
        found.append((rel, data.decode("utf-8", errors="replace")))
    return Mentioned(found, too_large)


def attach(task: str, files: list[tuple[str, str]], targets: Sequence[str] = (),
           too_large: Sequence[tuple[str, int]] = (), budget: int = ATTACH_BUDGET) -> str:
    """The files first — those to change (`targets`) last — then the task: what a small model reads last before it
    writes is the request and the code to change, not the tests (it then tends to write test code). Files the task
    names that were left out are listed, so the model knows they exist and were not shown."""
    if not files and not too_large:
        return task
    ordered = sorted(files, key=lambda f: f[0] in targets)
    blocks = [f"## {rel}\n```\n{text}{'' if text.endswith(chr(10)) else chr(10)}```" for rel, text in ordered]
    head = "# Files named in the task (current content)\n" + "\n".join(blocks) + "\n\n" if blocks else ""
    return head + not_attached(too_large, budget) + "# Task\n" + task


def not_attached(too_large: Sequence[tuple[str, int]], budget: int) -> str:
    if not too_large:
        return ""
    listed = ", ".join(f"{rel} ({size:,} characters)" for rel, size in too_large)
    return (f"# Files named in the task but not attached\nOver the {budget:,}-character budget for attached files: "
            f"{listed}. Read only the part you need.\n\n")
