"""Early stop: when the check fails before any change, the run ends as soon as a change makes it pass (a small
model asked for its final answer then often writes something else, and breaks what passed)."""

from __future__ import annotations

from .base import Stop, Tactic, Turn


class EarlyStop(Tactic):
    name = "early_stop"

    def start(self) -> None:
        first = self.state.first_check()
        self.failing = first is not None and not first.passed
        if self.failing:
            self.state.notice("the check fails before any change: the run ends when a change makes it pass")

    def after_turn(self, turn: Turn) -> None:
        if self.failing and turn.check is not None and turn.check.passed and turn.stop is None:
            files = ", ".join(self.state.ctx.files_changed) or "the files"
            turn.stop = Stop(f"Changed {files}; the check `{turn.check.command}` passes.", "completed")
