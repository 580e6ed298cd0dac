"""Error hints: a failing check's report ends with one-line explanations of the Python errors it shows
(context/error_hints.py)."""

from __future__ import annotations

from .base import Tactic


class ErrorHints(Tactic):
    name = "error_hints"

    def start(self) -> None:
        if self.state.checker is not None:
            self.state.checker.hints = True
