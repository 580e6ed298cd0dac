"""Headless output: `text` (progress on stderr, the answer on stdout), `json` (one summary object at the end)
and `stream-json` (one JSON event per line as it happens)."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

from ..events import (
    AssistantTurn,
    ErrorEvent,
    Event,
    Final,
    MessageAdded,
    ModelProgress,
    ModelRequest,
    Notice,
    SubagentEvent,
    SubagentStart,
    TextDelta,
    TodoUpdate,
    ToolCallStart,
    ToolResultEvent,
)
from ..session.memory import MARKS
from .waiting import Waiting


class StreamJson:
    """One JSON event per line; the run's `final` also carries what `final_extra` returns (session, cost)."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.final_extra: Callable[[], dict[str, Any]] | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, TextDelta | MessageAdded):
            return
        if isinstance(event, SubagentEvent) and isinstance(event.event, MessageAdded):
            return
        record = event.to_dict()
        if isinstance(event, Final) and self.final_extra:
            record.update(self.final_extra())
        self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self.out.flush()


class Progress:
    """Short human-readable progress lines on stderr; while a model call takes long, a line every `interval`
    seconds with what the server reports (ui/waiting.py; None: no such lines)."""

    def __init__(self, err: TextIO = sys.stderr, interval: float | None = 2.0) -> None:
        self.err = err
        self.lock = threading.Lock()
        self.waiting = Waiting(self.write, interval) if interval else None

    def __call__(self, event: Event) -> None:
        if self.waiting:
            self._track(event, self.waiting)
        line = progress_line(event)
        if line:
            self.write(line)

    def write(self, line: str) -> None:
        with self.lock:
            self.err.write(line + "\n")
            self.err.flush()

    @staticmethod
    def _track(event: Event, waiting: Waiting) -> None:
        if isinstance(event, ModelRequest):
            waiting.start(event.step)
        elif isinstance(event, ModelProgress):
            waiting.update(event)
        elif isinstance(event, AssistantTurn | Final | ErrorEvent):
            waiting.stop()


def progress_line(event: Event) -> str | None:
    if isinstance(event, SubagentStart | SubagentEvent):
        return subagent_line(event)
    if isinstance(event, TodoUpdate):
        return "todo:\n" + "\n".join(f"  [{MARKS.get(i['status'], ' ')}] {i['text']}" for i in event.items)
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


def subagent_line(event: SubagentStart | SubagentEvent) -> str | None:
    """A subagent's progress, indented under the call that started it."""
    pad = "  " * event.depth
    if isinstance(event, SubagentStart):
        task = " ".join(event.task.split())
        return f"{pad}↳ subagent {event.agent} ({event.tools}, {event.max_steps} steps): {task[:140]}"
    inner = event.event
    if isinstance(inner, Final):
        return f"{pad}↳ subagent {event.agent}: {inner.stop_reason} after {inner.steps} steps"
    line = progress_line(inner)
    return "\n".join(f"{pad}#{event.agent} {part}" for part in line.splitlines()) if line else None


def summary(final: Final, session_id: str, transcript: str, cost_usd: float | None = None,
            error: str | None = None) -> dict[str, Any]:
    """`cost_usd`: of this process's model calls; None when the model's price is unknown. `error`: why the run
    stopped early (None when it completed); `check`: the check's last result (None when no check ran)."""
    return {"result": final.result, "session_id": session_id, "transcript": transcript,
            "stop_reason": final.stop_reason, "error": error, "steps": final.steps, "usage": final.usage,
            "files_changed": final.files_changed, "check": final.check,
            "cost_usd": None if cost_usd is None else round(cost_usd, 6)}


def error_summary(message: str) -> dict[str, Any]:
    """The `json` output of a run that could not start (a bad flag value, an unreachable model server)."""
    return {"result": "", "session_id": None, "transcript": None, "stop_reason": "error", "error": message,
            "steps": 0, "usage": {}, "files_changed": [], "check": None, "cost_usd": None}


EXIT_CODES = {"completed": 0, "error": 1, "max_steps": 3, "budget": 3, "stalled": 3, "check_failed": 4,
              "interrupted": 130}
