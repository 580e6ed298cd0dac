"""todo: the agent's plan as a checklist it rewrites whole (pending / in_progress / done). The list lives in the
session's working memory (shared with `remember(kind="todo")`), so it survives resume and compaction; each write
is shown to the user as a checklist (a `todo` event). It changes no files: no approval, no checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, field_validator

from ..errors import ToolError
from ..events import Event, TodoUpdate
from ..session.memory import CAPS, ITEM_CHARS, Todo, WorkingMemory
from .base import Args, Tool, ToolContext

SYNONYMS = {"completed": "done", "complete": "done", "finished": "done", "in progress": "in_progress",
            "in-progress": "in_progress", "inprogress": "in_progress", "active": "in_progress",
            "doing": "in_progress", "todo": "pending", "open": "pending", "not started": "pending"}


class TodoItem(Args):
    text: str = Field(description=f"one step, a short sentence (up to {ITEM_CHARS} characters)")
    status: Literal["pending", "in_progress", "done"] = "pending"

    @field_validator("status", mode="before")
    @classmethod
    def _lenient(cls, value: Any) -> Any:
        key = str(value).strip().lower() if isinstance(value, str) else value
        return SYNONYMS.get(key, key) if isinstance(key, str) else value


class TodoArgs(Args):
    items: list[TodoItem | str] = Field(description=f"the whole list in order, at most {CAPS['todo']} items; "
                                                    "it replaces the previous list")


class TodoTool(Tool):
    name = "todo"
    description = ("Keep your plan for a multi-step task as a checklist the user sees. Send the whole list each "
                   "time: mark an item in_progress when you start it and done when it is finished. "
                   "Skip it for a task of one or two steps.")
    Args = TodoArgs
    mutating = False

    def __init__(self, memory: WorkingMemory, emit: Callable[[Event], None]) -> None:
        self.memory = memory
        self.emit = emit

    def run(self, args: TodoArgs, ctx: ToolContext) -> str:
        items = [TodoItem(text=i) if isinstance(i, str) else i for i in args.items]
        _check(items)
        self.memory.set_todo([Todo(i.text, i.status) for i in items])
        todo = self.memory.record.todo
        self.emit(TodoUpdate(items=[{"text": t.text, "status": t.status} for t in todo]))
        left = len(self.memory.open_todo())
        return f"Todo list saved: {len(todo)} items, {left} open (shown in your working memory)."


def _check(items: list[TodoItem]) -> None:
    if len(items) > CAPS["todo"]:
        raise ToolError(f"The todo list holds at most {CAPS['todo']} items and you sent {len(items)}. "
                        "Merge small steps into larger ones, or drop items that are done, and send it again.")
    empty = [str(n) for n, i in enumerate(items, 1) if not i.text.strip()]
    if empty:
        raise ToolError(f"Todo item(s) {', '.join(empty)} have no text. Send the whole list again, e.g. "
                        "todo(items=[{'text': 'fix add()', 'status': 'in_progress'}]).")
