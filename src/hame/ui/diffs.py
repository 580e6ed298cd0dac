"""Colored diffs: of an approval preview, and of a file after write_file or edit_file changed it.

`FileDiffs` watches the events: it reads a file when the call starts (before any tool runs) and diffs it
against what is on disk when the result comes back."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from rich.text import Text

from ..events import Event, ToolCallStart, ToolResultEvent

WRITERS = ("write_file", "edit_file")
MAX_LINES = 80
STYLES = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))


def unified(old: str, new: str, path: str) -> str:
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def diff_text(diff: str, max_lines: int = MAX_LINES) -> Text:
    """A unified diff with added lines green, removed red, hunk headers cyan; long ones are cut with a note."""
    lines = diff.rstrip("\n").splitlines()
    out = Text()
    for line in lines[:max_lines]:
        out.append(line + "\n", style=_style(line))
    if len(lines) > max_lines:
        out.append(f"… {len(lines) - max_lines} more diff lines\n", style="dim")
    return out


def _style(line: str) -> str:
    return next((style for prefix, style in STYLES if line.startswith(prefix)), "")


class FileDiffs:
    """Snapshots the file a write/edit call names when it starts; `finished(event)` gives the diff of the change."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.before: dict[str, tuple[str, str]] = {}  # call id -> (path, old text)

    def started(self, event: ToolCallStart) -> None:
        path = _path(event.arguments)
        target = (self.workspace / path).resolve() if path is not None else None
        if event.name in WRITERS and target is not None and target.is_relative_to(self.workspace.resolve()):
            self.before[event.call_id] = (str(path), _read(target))

    def finished(self, event: ToolResultEvent) -> str | None:
        found = self.before.pop(event.call_id, None)
        if found is None or not event.ok:
            return None
        path, old = found
        return unified(old, _read(self.workspace / path), path) or None

    def __call__(self, event: Event) -> str | None:
        if isinstance(event, ToolCallStart):
            self.started(event)
        elif isinstance(event, ToolResultEvent):
            return self.finished(event)
        return None


def _path(arguments: dict[str, Any] | None) -> str | None:
    path = (arguments or {}).get("path")
    return path if isinstance(path, str) and path else None


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace") if path.is_file() else ""
    except OSError:
        return ""
