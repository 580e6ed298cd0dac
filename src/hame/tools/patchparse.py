"""Read a patch into file operations: unified diffs (`---`/`+++`/`@@`, line numbers optional) and the Codex
`*** Begin Patch` format. Prose and code fences around the patch are skipped. Nothing here looks at files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

_HUNK = re.compile(r"^@@+\s*(?:-(\d+)(?:,(\d+))?\s+\+(\d+)(?:,(\d+))?\s*@@+)?\s?(.*)$")
_CODEX_FILE = re.compile(r"^\*\*\* (Add|Update|Delete) File:\s*(.+?)\s*$")


class PatchSyntaxError(ValueError):
    """The patch could not be read at all; the message says what to send instead."""


@dataclass
class Hunk:
    """Old lines (context and removals) and new lines (context and additions), with where the model said they are.

    `hint` is the 1-based line of the old text from a unified header; `anchor` the text after `@@` (a line to find
    first); `at_eof` marks Codex's `*** End of File`; `body` is the raw hunk text."""

    header: str
    body: list[str] = field(default_factory=list)
    hint: int | None = None
    anchor: str = ""
    at_eof: bool = False

    @property
    def old(self) -> list[str]:
        return [_text(line) for line in _trimmed(self.body) if not line.startswith(("+", "\\"))]

    @property
    def new(self) -> list[str]:
        return [_text(line) for line in _trimmed(self.body) if not line.startswith(("-", "\\"))]


def _text(line: str) -> str:
    """A body line without its prefix; a line with none is context (models drop the space of empty lines)."""
    return line[1:] if line[:1] in " +-" else line


def _trimmed(body: list[str]) -> list[str]:
    """The body without what trails the last change: blank lines and unprefixed prose."""
    end = len(body)
    while end and (not body[end - 1].strip() or body[end - 1][:1] not in " +-\\"):
        end -= 1
    return body[:end]


@dataclass
class FileOp:
    kind: Literal["add", "update", "delete"]
    path: str
    hunks: list[Hunk] = field(default_factory=list)
    move_to: str | None = None


def parse_patch(patch: str) -> list[FileOp]:
    lines = patch.replace("\r\n", "\n").split("\n")
    begin = next((i for i, line in enumerate(lines) if line.strip() == "*** Begin Patch"), None)
    if begin is not None:
        return _codex(lines[begin + 1:])
    if any(line.startswith("*** ") and _CODEX_FILE.match(line) for line in lines):
        return _codex(lines)
    ops = _unified(lines)
    if not ops:
        raise PatchSyntaxError("no patch found: expected a unified diff (--- a/path, +++ b/path, @@ hunks) "
                               "or *** Begin Patch / *** Update File: path / @@ / *** End Patch")
    return ops


def _codex(lines: list[str]) -> list[FileOp]:
    ops: list[FileOp] = []
    for line in lines:
        stripped = line.rstrip()
        match = _CODEX_FILE.match(stripped)
        if stripped == "*** End Patch":
            break
        if match:
            kind = match.group(1).lower()
            ops.append(FileOp(kind, match.group(2)))  # type: ignore[arg-type]
        elif stripped.startswith("*** Move to:") and ops:
            ops[-1].move_to = stripped.split(":", 1)[1].strip()
        elif stripped == "*** End of File" and ops and ops[-1].hunks:
            ops[-1].hunks[-1].at_eof = True
        elif ops and ops[-1].kind == "add":
            _current(ops[-1], "").body.append(line)
        elif ops and ops[-1].kind == "update":
            if line.startswith("@@"):
                ops[-1].hunks.append(Hunk(line, anchor=line[2:].strip(" @")))
            else:
                _current(ops[-1], "@@").body.append(line)
    if not ops:
        raise PatchSyntaxError("the patch names no file: use *** Update File: path (or Add File / Delete File)")
    return ops


def _current(op: FileOp, header: str) -> Hunk:
    if not op.hunks:
        op.hunks.append(Hunk(header))
    return op.hunks[-1]


def _unified(lines: list[str]) -> list[FileOp]:
    ops: list[FileOp] = []
    current: FileOp | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_header(lines, i):
            current = _unified_op(line[4:], lines[i + 1][4:])
            ops.append(current)
            i += 1
        elif line.startswith("```"):
            current = None
        elif current and not _is_noise(line):
            _unified_line(current, line)
        i += 1
    return ops


def _unified_line(op: FileOp, line: str) -> None:
    hunk = _HUNK.match(line) if line.startswith("@@") else None
    if hunk:
        start = hunk.group(1)
        op.hunks.append(Hunk(line, hint=int(start) if start else None, anchor=hunk.group(5).strip(" @")))
    elif op.hunks or line[:1] in " +-":
        _current(op, "@@").body.append(line)


def _is_header(lines: list[str], i: int) -> bool:
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _is_noise(line: str) -> bool:
    return line.startswith(("diff --git", "index ", "new file mode", "deleted file mode", "similarity index",
                            "rename from", "rename to", "old mode", "new mode"))


def _unified_op(old_name: str, new_name: str) -> FileOp:
    old, new = _diff_path(old_name), _diff_path(new_name)
    if (old or "a/").startswith("a/") and (new or "b/").startswith("b/"):
        old, new = old and old[2:], new and new[2:]
    if old is None and new is None:
        raise PatchSyntaxError("both file names in a ---/+++ header are /dev/null")
    if old is None:
        return FileOp("add", new or "")
    if new is None:
        return FileOp("delete", old)
    return FileOp("update", old, move_to=new if new != old else None)


def _diff_path(name: str) -> str | None:
    path = name.split("\t")[0].strip().strip('"')
    return None if path == "/dev/null" else path
