"""The event union: the only contract between the agent loop and anything that watches it.

The loop emits events and never prints. The transcript writer, the headless printers, the REPL and the bench
runner all subscribe to the same stream. Every event serialises to one JSON object with a "type" key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

from .messages import Message


@dataclass
class Event:
    type: ClassVar[str] = "event"
    ts: float = field(default_factory=time.time, init=False)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **asdict(self)}


@dataclass
class SessionStart(Event):
    type: ClassVar[str] = "session_start"
    session_id: str
    workspace: str
    model: str
    task: str
    resumed: bool = False


@dataclass
class MessageAdded(Event):
    """A message appended to the conversation history, exactly as later requests will carry it."""

    type: ClassVar[str] = "message"
    message: Message
    step: int


@dataclass
class ModelRequest(Event):
    type: ClassVar[str] = "model_request"
    step: int
    n_messages: int
    est_tokens: int


@dataclass
class TextDelta(Event):
    """A streamed piece of the assistant's text (not written to the transcript)."""

    type: ClassVar[str] = "text_delta"
    text: str


@dataclass
class ModelProgress(Event):
    """How far the server is with a request (llama.cpp reports it): reading the prompt (`done` of `total` tokens,
    `cached` of them from the KV cache) or generating (`done` tokens so far). Shown live, never saved."""

    type: ClassVar[str] = "model_progress"
    stage: Literal["prompt", "generate"]
    done: int
    total: int = 0
    cached: int = 0
    tokens_per_s: float | None = None


@dataclass
class AssistantTurn(Event):
    type: ClassVar[str] = "assistant"
    step: int
    text: str
    tool_calls: list[dict[str, Any]]
    usage: dict[str, int]
    finish_reason: str | None = None


@dataclass
class ToolCallStart(Event):
    type: ClassVar[str] = "tool_call"
    step: int
    call_id: str
    name: str
    arguments: dict[str, Any] | None


@dataclass
class ToolResultEvent(Event):
    type: ClassVar[str] = "tool_result"
    step: int
    call_id: str
    name: str
    ok: bool
    output: str
    full_output_path: str | None = None


@dataclass
class Notice(Event):
    """Something the user should know that is not an error: a retry, a nudge, a fallback."""

    type: ClassVar[str] = "notice"
    text: str


@dataclass
class Final(Event):
    type: ClassVar[str] = "final"
    result: str
    stop_reason: str
    steps: int
    usage: dict[str, int]
    files_changed: list[str]
    check: dict[str, Any] | None = None  # the check's last result: command, passed, exit_code, timed_out


@dataclass
class ErrorEvent(Event):
    type: ClassVar[str] = "error"
    message: str
    fatal: bool = True


@dataclass
class MemoryUpdate(Event):
    """The session's working memory after a change: a full snapshot (the last one wins on resume)."""

    type: ClassVar[str] = "memory"
    memory: dict[str, Any]


@dataclass
class Compaction(Event):
    """The history was deliberately rewritten to fit the context window: `messages` is the whole new history
    (later `message` events extend it); the transcript keeps everything before it. `tier` is "mask" (old tool
    outputs stubbed) or "summary" (old turns summarised; `source` "model" or "fallback")."""

    type: ClassVar[str] = "compaction"
    step: int
    tier: str
    tokens_before: int
    tokens_after: int
    messages: list[Message]
    source: str | None = None


@dataclass
class CheckpointEvent(Event):
    """The workspace was snapshotted before `step` changed files; `commit` is in the shadow repository."""

    type: ClassVar[str] = "checkpoint"
    step: int
    commit: str
    skipped: list[str] = field(default_factory=list)


@dataclass
class Restored(Event):
    """Files were restored to before `step`; `saved` is a commit holding what they were just before."""

    type: ClassVar[str] = "restore"
    step: int
    commit: str
    saved: str
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@dataclass
class TodoUpdate(Event):
    """The agent wrote its todo list (the whole list: text and status pending / in_progress / done)."""

    type: ClassVar[str] = "todo"
    items: list[dict[str, str]]


@dataclass
class SubagentStart(Event):
    """A delegated child agent starts: `agent` numbers children in order of creation, `depth` 1 is a child of
    the main agent."""

    type: ClassVar[str] = "subagent_start"
    agent: int
    depth: int
    task: str
    tools: str
    max_steps: int


@dataclass
class SubagentEvent(Event):
    """An event of a child agent, nested in its parent's stream (its text deltas are not forwarded)."""

    type: ClassVar[str] = "subagent"
    agent: int
    depth: int
    event: Event

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "ts": self.ts, "agent": self.agent, "depth": self.depth,
                "event": self.event.to_dict()}


EventSink = Callable[[Event], None]


class EventBus:
    """Fans each event out to every subscriber, in subscription order. Subagents running in threads emit too,
    so one event is delivered to every sink before the next one starts."""

    def __init__(self) -> None:
        self._sinks: list[EventSink] = []
        self._lock = threading.RLock()

    def subscribe(self, sink: EventSink) -> None:
        self._sinks.append(sink)

    def unsubscribe(self, sink: EventSink) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)

    def emit(self, event: Event) -> None:
        with self._lock:
            for sink in self._sinks:
                sink(event)
