"""What a session keeps besides its message history: its lock, its working memory and its checkpoints, loaded
from the transcript when the session is resumed and wired into the agent loop through two hooks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..events import Event, MemoryUpdate
from ..messages import Message
from .checkpoints import Checkpoints, Mark
from .lock import lock_session
from .memory import WorkingMemory
from .resume import repair_torn_tail
from .shadow import Change
from .store import SessionFiles
from .todos import TodoReminder
from .transcript import read_records


class SessionState:
    def __init__(self, files: SessionFiles, workspace: Path, emit: Callable[[Event], None]) -> None:
        self.files = files
        self.lock = lock_session(files.dir, files.id)  # raises Locked when another process has the session
        self.emit = emit
        self.memory = WorkingMemory(lambda data: emit(MemoryUpdate(memory=data)))
        self.checkpoints = Checkpoints(workspace, files.id, emit)
        self.reminder = TodoReminder(self.memory)
        if files.transcript.exists():
            repair_torn_tail(files.transcript)
            self.load(read_records(files.transcript))

    def load(self, records: list[dict[str, Any]]) -> None:
        self.memory.load(records)
        self.checkpoints.load(records)

    def before_finish(self) -> str | None:
        """An objection to a final answer: the open todo items, once (see todos.py)."""
        return self.reminder()

    def before_request(self, files_changed: list[str]) -> list[Message]:
        """Messages to append before the next model request: the working memory, when it changed."""
        self.memory.touch(files_changed)
        message = self.memory.pending_message()
        return [message] if message else []

    def before_mutation(self, step: int) -> None:
        self.checkpoints.before_mutation(step)

    def restore(self, mark: Mark) -> tuple[list[Change], str]:
        """Restore the files to `mark` and tell the model so through the working memory."""
        changes, saved = self.checkpoints.restore(mark)
        if changes:
            self.memory.remember(f"The user restored the files to before step {mark.step} "
                                 f"({_counts(changes)}); later edits are gone.")
        return changes, saved

    def forget_undone(self, files_changed: list[str]) -> None:
        """After an undo, a file counts as changed only while it differs from before the session's first change
        (`files_changed` is the agent's own list, edited in place)."""
        marks = self.checkpoints.marks
        changed = {c.path for c in self.checkpoints.preview(marks[0])} if marks else set()
        files_changed[:] = [f for f in files_changed if f in changed]
        self.memory.keep_files(changed)

    def close(self) -> None:
        self.lock.release()


def _counts(changes: list[Change]) -> str:
    verbs = {"added": "deleted {} new", "modified": "restored {}", "deleted": "recreated {}"}
    parts = [verbs[s].format(n) for s in verbs if (n := sum(c.status == s for c in changes))]
    return ", ".join(parts) + " file(s)"
