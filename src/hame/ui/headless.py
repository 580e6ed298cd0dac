"""Headless output: `text` (progress on stderr, the answer on stdout), `json` (one summary object at the end)
and `stream-json` (one JSON event per line as it happens)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from ..events import (
    AssistantTurn,
    ErrorEvent,
    Event,
    Final,
    MessageAdded,
    Notice,
    TextDelta,
    ToolCallStart,
    ToolResultEvent,
)


class StreamJson:
    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out

    def __call__(self, event: Event) -> None:
        if isinstance(event, TextDelta | MessageAdded):
            return
        self.out.write(json.dumps(event.to_dict(), ensure_ascii=False, default=str) + "\n")
        self.out.flush()


class Progress:
    """Short human-readable progress lines on stderr."""

    def __init__(self, err: TextIO = sys.stderr) -> None:
        self.err = err

    def __call__(self, event: Event) -> None:
        line = progress_line(event)
        if line:
            self.err.write(line + "\n")
            self.err.flush()


def progress_line(event: Event) -> str | None:
    if isinstance(event, ToolCallStart):
        args = json.dumps(event.arguments, ensure_ascii=False) if event.arguments is not None else "(bad JSON)"
        return f"[{event.step}] {event.name} {args[:160]}"
    if isinstance(event, ToolResultEvent) and not event.ok:
        return f"    ! {event.output.splitlines()[0][:200] if event.output else 'error'}"
    if isinstance(event, Notice):
        return f"hame: {event.text}"
    if isinstance(event, ErrorEvent):
        return f"hame: error: {event.message}"
    if isinstance(event, AssistantTurn) and event.text.strip() and event.tool_calls:
        return f"[{event.step}] {event.text.strip().splitlines()[0][:160]}"
    return None


def summary(final: Final, session_id: str, transcript: str) -> dict[str, Any]:
    return {"result": final.result, "session_id": session_id, "transcript": transcript,
            "stop_reason": final.stop_reason, "steps": final.steps, "usage": final.usage,
            "files_changed": final.files_changed}


EXIT_CODES = {"completed": 0, "error": 1, "max_steps": 3, "budget": 3, "stalled": 3, "interrupted": 130}
