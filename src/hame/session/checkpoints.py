"""Checkpoints: before the first file-changing tool call of a step, the workspace is snapshotted into the shadow
repository (session/shadow.py) and a `checkpoint` event (step, commit) is written to the transcript. `/undo`
restores the files to before the last such step (again and again, one step further back each time);
`hame rewind SESSION --to STEP` restores them to before STEP. A restore is a `restore` event; the state it
replaced is kept as a commit, so nothing is ever lost. Checkpoint trouble is a notice, never a failed run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import HameError
from ..events import CheckpointEvent, Event, Notice, Restored
from .shadow import Change, ShadowRepo
from .transcript import state_dir


@dataclass(frozen=True)
class Mark:
    step: int  # the workspace as it was before this step ran
    commit: str


class Checkpoints:
    def __init__(self, workspace: Path, session_id: str, emit: Callable[[Event], None],
                 repo: ShadowRepo | None = None) -> None:
        self.repo = repo or ShadowRepo(state_dir() / "checkpoints", workspace)
        self.ref = f"sessions/{session_id}"
        self.emit = emit
        self.marks: list[Mark] = []
        self.floor: int | None = None  # after a restore: the step restored to (undo goes further back)
        self.disabled = ""
        self._announced: set[str] = set()

    def load(self, records: list[dict[str, Any]]) -> None:
        for r in records:
            if r.get("type") == "checkpoint":
                self.marks.append(Mark(int(r["step"]), str(r["commit"])))
                self.floor = None
            elif r.get("type") == "restore":
                self.floor = int(r["step"])

    def before_mutation(self, step: int) -> None:
        """Snapshot once per step, before its first change. Failures become a notice."""
        if self.disabled or (self.marks and self.marks[-1].step >= step):
            return
        try:
            snap = self.repo.snapshot(self.ref, f"before step {step}")
        except HameError as exc:
            self.disabled = str(exc)
            self.emit(Notice(text=f"checkpoints are off for this session ({exc}); /undo and rewind cannot "
                                  f"restore steps from {step} on"))
            return
        self.marks.append(Mark(step, snap.commit))
        self.floor = None
        self.emit(CheckpointEvent(step=step, commit=snap.commit, skipped=snap.skipped))
        self._announce(snap.skipped)

    def undo_target(self) -> Mark | None:
        """The checkpoint `/undo` goes back to: before the last changing step not already undone."""
        older = [m for m in self.marks if self.floor is None or m.step < self.floor]
        return older[-1] if older else None

    def changed_undo_target(self) -> Mark | None:
        """Like `undo_target`, passing over checkpoints the files have not changed since (a step whose commands
        changed no file), so that one `/undo` always undoes a change."""
        older = [m for m in self.marks if self.floor is None or m.step < self.floor]
        return next((m for m in reversed(older) if self.preview(m)), None)

    def target(self, step: int) -> Mark | None:
        """The checkpoint holding the files as they were before `step` (None: no step from it on changed any)."""
        return next((m for m in self.marks if m.step >= step), None)

    def preview(self, mark: Mark) -> list[Change]:
        return self.repo.changes_since(mark.commit)

    def restore(self, mark: Mark) -> tuple[list[Change], str]:
        """Restore the files to `mark`; returns the changes undone and the commit saving the state replaced."""
        changes, saved = self.repo.restore(mark.commit, self.ref)
        self.floor = mark.step
        by = {s: [c.path for c in changes if c.status == s] for s in ("added", "modified", "deleted")}
        self.emit(Restored(step=mark.step, commit=mark.commit, saved=saved, added=by["added"],
                           modified=by["modified"], deleted=by["deleted"]))
        return changes, saved

    def _announce(self, skipped: list[str]) -> None:
        new = [p for p in skipped if p not in self._announced]
        if new:
            self._announced.update(new)
            mb = f"{self.repo.size_cap / 2**20:g}"
            self.emit(Notice(text=f"checkpoint: left out {len(new)} file(s) over {mb} MB, which /undo cannot "
                                  f"restore: {', '.join(new[:5])}{' …' if len(new) > 5 else ''}"))


def describe(changes: list[Change], done: bool = False) -> list[str]:
    """One line per change since the checkpoint, saying what the restore does (or did) about it."""
    verb = {"added": "deleted", "modified": "restored", "deleted": "recreated"}
    return [f"  {c.status:<9} {c.path}  ({'' if done else 'will be '}{verb[c.status]})" for c in changes]
