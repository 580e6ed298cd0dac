"""The reminder before a final answer: while the todo list has open items, a final answer is answered once with
those items and a nudge; the next final answer (with the same items still open) is accepted."""

from __future__ import annotations

from .memory import WorkingMemory, checklist

NUDGE = ("Finish them before your final answer, or update the list with todo() if they are done or no longer "
         "needed. If you are stopping anyway, answer again and say which items are left and why.")


class TodoReminder:
    """An `Agent.before_finish` hook; it reminds once per set of open items."""

    def __init__(self, memory: WorkingMemory) -> None:
        self.memory = memory
        self.reminded: list[tuple[str, str]] | None = None

    def __call__(self) -> str | None:
        open_items = self.memory.open_todo()
        key: list[tuple[str, str]] = [(t.text, t.status) for _, t in open_items]
        if not open_items or key == self.reminded:
            return None
        self.reminded = key
        lines = [line for n, line in enumerate(checklist(self.memory.record.todo), 1)
                 if n in {i for i, _ in open_items}]
        return f"{len(open_items)} item(s) of your todo list are still open:\n" + "\n".join(lines) + "\n" + NUDGE
