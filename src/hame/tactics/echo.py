"""Catch a small model's reply that is repeating the task instead of answering it.

Given a task with files attached, a small model sometimes answers by echoing the request ("To change FILE so
that …", then the task's instructions line by line) until the output limit, with nothing to write at the end; the
evidence is in docs/tactics.md (watches). `echo_watch` flags such a reply while it streams, from the task's prose
lines it repeats outside any fenced block: code inside a block may hold the task's text (a verse in a string) and is
never counted."""

from __future__ import annotations

from collections.abc import Callable

ECHO_LINES = 6  # the task's prose lines a reply repeats outside code blocks before it is cut
PROSE_LINE = 40  # shorter lines ("# Instructions", "## Exception messages") say nothing about where they came from


def echo_watch(request: str) -> Callable[[str], bool] | None:
    """A predicate for a streaming reply: True once it repeats `ECHO_LINES` long lines of the request's prose
    (outside its fenced blocks: the attached files). None when the request has too little prose to tell."""
    prose = {line for line in _outside_fences(request) if len(line) >= PROSE_LINE}
    if len(prose) < ECHO_LINES:
        return None

    def echoing(text: str) -> bool:
        return sum(line in prose for line in _outside_fences(text)) >= ECHO_LINES

    return echoing


def _outside_fences(text: str) -> list[str]:
    """The stripped lines of `text` outside ``` fenced blocks (an unclosed block runs to the end)."""
    lines, inside = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            inside = not inside
        elif not inside:
            lines.append(line)
    return lines
