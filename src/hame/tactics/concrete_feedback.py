"""Concrete feedback: a failing check's pytest report tells each failure as one line — the call, what it gave,
what the test expects — shortest first, instead of the test's code and pytest's `E` lines
(context/assertions.py). Restarts' notes quote the same report."""

from __future__ import annotations

from .base import Tactic


class ConcreteFeedback(Tactic):
    name = "concrete_feedback"

    def start(self) -> None:
        if self.state.checker is not None:
            self.state.checker.concrete = True
