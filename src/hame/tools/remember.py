"""remember: save a note, decision or todo item to the session's working memory (shown back to the model when
it changes, kept when the history is rebuilt). It changes no files, so it needs no approval and makes no checkpoint."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..session.memory import CAPS, ITEM_CHARS, WorkingMemory
from .base import Args, Tool, ToolContext


class RememberArgs(Args):
    note: str = Field(description=f"what to keep, one short sentence (up to {ITEM_CHARS} characters)")
    kind: Literal["note", "decision", "todo", "done"] = Field(
        "note", description="note (a fact), decision, todo (a step still to do), done (mark a todo item done: "
                            "give its number or text)")


class Remember(Tool):
    name = "remember"
    description = (f"Save something worth keeping for the rest of the task to your working memory (kept: "
                   f"{CAPS['todo']} todo items, the last {CAPS['decision']} decisions and {CAPS['note']} notes).")
    Args = RememberArgs
    mutating = False

    def __init__(self, memory: WorkingMemory) -> None:
        self.memory = memory

    def run(self, args: RememberArgs, ctx: ToolContext) -> str:
        return self.memory.remember(args.note, args.kind)
