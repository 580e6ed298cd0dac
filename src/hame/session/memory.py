"""Working memory: a tiny structured record per session (task, todo list, decisions, notes, files touched).

The model adds to it with the `remember` tool and writes its todo list whole with `todo`. Each change is written
to the transcript as a `memory` event (a full snapshot; the last one wins on resume), so the record outlives kills,
resumes and compaction. The model is shown the record WITHOUT rewriting history: when the part it saved changed
since it was last shown, a new short message is appended before the next request, so every request still extends
the previous one byte for byte."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .. import messages as msg
from ..errors import ToolError
from ..messages import Message

HEADER = "[working memory: what you saved with remember(); it survives restarts]"
Kind = Literal["note", "decision", "todo", "done"]
Status = Literal["pending", "in_progress", "done"]
STATUSES: tuple[Status, ...] = ("pending", "in_progress", "done")
MARKS = {"pending": " ", "in_progress": ">", "done": "x"}
CAPS = {"note": 8, "decision": 6, "todo": 10}
FILES_CAP = 20
ITEM_CHARS = 200
TASK_CHARS = 300
EMPTY = "(empty)"


@dataclass
class Todo:
    text: str
    status: Status = "pending"

    @property
    def done(self) -> bool:
        return self.status == "done"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Todo:
        status = data.get("status") or ("done" if data.get("done") else "pending")  # older records: a bool
        return cls(str(data.get("text", "")), status if status in STATUSES else "pending")


@dataclass
class MemoryRecord:
    task: str = ""
    todo: list[Todo] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MemoryRecord:
        todo = [Todo.from_dict(t) for t in data.get("todo") or []]
        return cls(str(data.get("task", "")), todo, [str(x) for x in data.get("decisions") or []],
                   [str(x) for x in data.get("notes") or []], [str(x) for x in data.get("files") or []])


def brief(record: MemoryRecord) -> str:
    """What the model saved, as it is shown to the model ('' when nothing is saved)."""
    lines = []
    if record.todo:
        lines.append("todo:")
        lines += checklist(record.todo)
    if record.decisions:
        lines.append("decisions:")
        lines += [f"- {d}" for d in record.decisions]
    if record.notes:
        lines.append("notes:")
        lines += [f"- {n}" for n in record.notes]
    return "\n".join(lines)


def checklist(todo: list[Todo]) -> list[str]:
    """`1. [x] text` per item: [x] done, [>] in progress, [ ] pending."""
    return [f"{i}. [{MARKS[t.status]}] {t.text}" for i, t in enumerate(todo, 1)]


def render(record: MemoryRecord) -> str:
    """The whole record, for the user (`/memory`) and for a compaction summary."""
    head = [f"task: {record.task}"] if record.task else []
    files = [f"files touched: {', '.join(record.files)}"] if record.files else []
    return "\n".join(head + [brief(record)] * bool(brief(record)) + files) or "(empty)"


class WorkingMemory:
    """The record plus what was last shown to the model; `on_change` receives a snapshot after each change."""

    def __init__(self, on_change: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.record = MemoryRecord()
        self.shown = ""
        self.on_change = on_change

    def load(self, records: list[dict[str, Any]]) -> None:
        """Take the last snapshot and the last memory message of a transcript."""
        for r in records:
            if r.get("type") == "memory":
                self.record = MemoryRecord.from_dict(r.get("memory") or {})
            elif r.get("type") == "message" and _is_memory_message(r.get("message") or {}):
                body = str(r["message"]["content"])[len(HEADER) + 1:]
                self.shown = "" if body == EMPTY else body
            elif r.get("type") == "compaction" and r.get("tier") == "summary":
                self.shown = brief(self.record)  # the summary carries the whole record

    def note_task(self, task: str) -> None:
        """Keep the session's first task (later ones are follow-ups, still in the recent history)."""
        if self.record.task or not task.strip():
            return
        before = self.record.to_dict()
        self.record.task = _clip(task, TASK_CHARS)
        self._changed(before)

    def touch(self, files: list[str]) -> None:
        before = self.record.to_dict()
        new = [f for f in files if f not in self.record.files]
        self.record.files = (self.record.files + new)[-FILES_CAP:]
        self._changed(before)

    def keep_files(self, files: set[str]) -> None:
        """Forget the files not in `files` (after an undo: the files no longer changed)."""
        before = self.record.to_dict()
        self.record.files = [f for f in self.record.files if f in files]
        self._changed(before)

    def remember(self, note: str, kind: Kind = "note") -> str:
        note = _clip(" ".join(note.split()), ITEM_CHARS)
        if not note:
            raise ToolError("remember needs a non-empty note, e.g. remember(note='tests live in tests/unit').")
        if kind == "done":
            return self._done(note)
        before = self.record.to_dict()
        self._add(kind, note)
        self._changed(before)
        return f"Saved ({kind}). {self.summary()}"

    def set_todo(self, items: list[Todo]) -> None:
        """Replace the whole todo list (the `todo` tool); the caller checks the cap."""
        before = self.record.to_dict()
        self.record.todo = [Todo(_clip(" ".join(t.text.split()), ITEM_CHARS), t.status) for t in items]
        self._changed(before)

    def open_todo(self) -> list[tuple[int, Todo]]:
        """The items not done yet, with their numbers in the list."""
        return [(i, t) for i, t in enumerate(self.record.todo, 1) if not t.done]

    def pending_message(self) -> Message | None:
        """A message showing the saved part of the record when it changed since last shown, else None."""
        text = brief(self.record)
        if text == self.shown:
            return None
        self.shown = text
        return msg.user(f"{HEADER}\n{text or EMPTY}")

    def summary(self) -> str:
        r = self.record
        left = sum(not t.done for t in r.todo)
        return f"Memory: {len(r.notes)} notes, {len(r.decisions)} decisions, {len(r.todo)} todo items ({left} open)."

    def _add(self, kind: Kind, note: str) -> None:
        if kind == "todo":
            self.record.todo.append(Todo(note))
            _trim_todo(self.record.todo)
            return
        items = self.record.decisions if kind == "decision" else self.record.notes
        if note in items:
            items.remove(note)
        items.append(note)
        del items[:-CAPS[kind]]

    def _done(self, note: str) -> str:
        item = _match(self.record.todo, note)
        if item is None:
            open_items = [f"{i}. {t.text}" for i, t in enumerate(self.record.todo, 1) if not t.done]
            listing = "\n".join(open_items) or "(none; add one with kind='todo')"
            raise ToolError(f"No open todo item matches {note!r}. Open items:\n{listing}\n"
                            "Send remember(kind='done', note='<item number>').")
        before = self.record.to_dict()
        item.status = "done"
        self._changed(before)
        return f"Marked done: {item.text}. {self.summary()}"

    def _changed(self, before: dict[str, Any]) -> None:
        if self.record.to_dict() != before and self.on_change:
            self.on_change(self.record.to_dict())


def _match(todo: list[Todo], note: str) -> Todo | None:
    open_items = [t for t in todo if not t.done]
    key = note.strip().rstrip(".").lower()
    if key.isdigit() and 1 <= int(key) <= len(todo) and not todo[int(key) - 1].done:
        return todo[int(key) - 1]
    exact = [t for t in open_items if t.text.lower() == key]
    partial = [t for t in open_items if key in t.text.lower() or t.text.lower() in key]
    found = exact or partial
    return found[0] if found else None


def _trim_todo(todo: list[Todo]) -> None:
    while len(todo) > CAPS["todo"]:
        done = next((t for t in todo if t.done), None)
        todo.remove(done if done is not None else todo[0])


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_memory_message(message: Message) -> bool:
    return message.get("role") == "user" and str(message.get("content") or "").startswith(HEADER + "\n")
