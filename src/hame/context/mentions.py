"""Files named in the task, attached to it up front (as Aider's files-in-chat are): a small model then sees the
code it must change without spending steps, and tokens of tool-call boilerplate, to find and read it. A large test
file is attached abridged (test_digest.py)."""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .test_digest import ABRIDGE_OVER, abridge
from .testfiles import TEST_NAME

PATHLIKE = re.compile(r"[\w./-]*\w\.\w{1,8}\b")


ATTACH_BUDGET = 16000  # characters of named files attached to the task, all together


@dataclass(frozen=True)
class Mentioned:
    files: list[tuple[str, str]]  # (relative path, text) attached
    too_large: list[tuple[str, int]]  # (relative path, characters) named but left out: over the budget
    abridged: list[str] = field(default_factory=list)  # test files attached abridged (context/test_digest.py)


def mentioned_files(task: str, workspace: Path, max_chars: int = ATTACH_BUDGET) -> list[tuple[str, str]]:
    """(relative path, text) of existing text files inside the workspace that the task names, within a budget."""
    return named_files(task, workspace, max_chars).files


def named_files(task: str, workspace: Path, max_chars: int = ATTACH_BUDGET, how: str | None = None) -> Mentioned:
    """The text files the task names that fit `max_chars` together, and those that did not fit. With `how` (how the
    model can see what was left out), a test file over ABRIDGE_OVER characters is attached abridged."""
    root = os.path.realpath(workspace)
    found: list[tuple[str, str]] = []
    too_large: list[tuple[str, int]] = []
    abridged: list[str] = []
    used = 0
    for name in dict.fromkeys(m.group(0).lstrip("./") for m in PATHLIKE.finditer(task)):
        path = os.path.realpath(os.path.join(root, name))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            continue
        data = Path(path).read_bytes()
        if b"\x00" in data[:8192]:
            continue
        rel = os.path.relpath(path, root)
        text, size = data.decode("utf-8", errors="replace"), len(data)
        if how is not None and TEST_NAME.search(rel) and len(text) > ABRIDGE_OVER:
            text = abridge(rel, text, how)
            size = len(text.encode())
            abridged.append(rel)
        if used + size > max_chars:
            too_large.append((rel, len(data)))
            continue
        used += size
        found.append((rel, text))
    return Mentioned(found, too_large, [rel for rel in abridged if any(rel == f[0] for f in found)])


@dataclass(frozen=True)
class Attached:
    """A task with the files it names: the text of the request, kept apart so a tactic can leave a file out."""

    task: str
    files: list[tuple[str, str]]
    targets: list[str]
    too_large: list[tuple[str, int]]
    shown_above: list[tuple[str, int]] = field(default_factory=list)  # (test file, characters): its tests shown

    @property
    def text(self) -> str:
        return attach(self.task, self.files, self.targets, self.too_large, shown_above=self.shown_above)

    def tests_shown_above(self, rels: Collection[str], workspace: Path) -> Attached:
        """These attached test files left out: the text above the request shows their failing tests."""
        files = [f for f in self.files if f[0] not in rels]
        shown = [(rel, (workspace / rel).stat().st_size) for rel, _ in self.files if rel in rels]
        return replace(self, files=files, shown_above=[*self.shown_above, *shown])


def attach(task: str, files: list[tuple[str, str]], targets: Sequence[str] = (),
           too_large: Sequence[tuple[str, int]] = (), budget: int = ATTACH_BUDGET,
           shown_above: Sequence[tuple[str, int]] = ()) -> str:
    """The files first — those to change (`targets`) last — then the task: what a small model reads last before it
    writes is the request and the code to change, not the tests (it then tends to write test code). Files the task
    names that were left out are listed, so the model knows they exist and were not shown."""
    if not files and not too_large and not shown_above:
        return task
    ordered = sorted(files, key=lambda f: f[0] in targets)
    blocks = [f"## {rel}\n```\n{text}{'' if text.endswith(chr(10)) else chr(10)}```" for rel, text in ordered]
    head = "# Files named in the task (current content)\n" + "\n".join(blocks) + "\n\n" if blocks else ""
    return head + not_attached(too_large, budget) + tests_shown(shown_above) + "# Task\n" + task


def not_attached(too_large: Sequence[tuple[str, int]], budget: int) -> str:
    if not too_large:
        return ""
    listed = ", ".join(f"{rel} ({size:,} characters)" for rel, size in too_large)
    return (f"# Files named in the task but not attached\nOver the {budget:,}-character budget for attached files: "
            f"{listed}. Read only the part you need.\n\n")


def tests_shown(shown_above: Sequence[tuple[str, int]]) -> str:
    if not shown_above:
        return ""
    listed = ", ".join(f"{rel} ({size:,} characters)" for rel, size in shown_above)
    return f"# Test files named in the task but not attached\nTheir failing tests are shown above: {listed}.\n\n"
