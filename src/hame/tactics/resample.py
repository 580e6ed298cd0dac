"""Resampling: a reply that only repeats calls that already failed is dropped unseen — the history, and the
server's KV cache of it, stay as they were — and the model samples again, hotter. After `max_resamples` in a row
the call runs (and steering takes over)."""

from __future__ import annotations

import json

from ..messages import ToolCall
from .base import Reply, Shape, Tactic, Turn

STEP = 0.3  # temperature added for each reply dropped in a row
MAX_RESAMPLES = 3


def call_key(call: ToolCall) -> str:
    return json.dumps([call.name, call.arguments], sort_keys=True, default=str)


class Resample(Tactic):
    name = "resample"
    failed: set[str]
    resamples: int = 0

    def start(self) -> None:
        if not hasattr(self, "failed"):
            self.failed = set()  # calls (name and arguments) whose result was an error

    def shape(self, shape: Shape) -> None:
        if self.resamples:
            shape.temperature = round(min(1.0, (shape.temperature or 0.0) + STEP * self.resamples), 2)

    def judge(self, reply: Reply) -> None:
        if reply.problem or reply.drop:
            return
        keys = [call_key(c) for c in reply.calls]
        if not keys or self.resamples >= MAX_RESAMPLES or any(k not in self.failed for k in keys):
            self.resamples = 0
            return
        self.resamples += 1
        reply.drop = True
        self.state.notice(f"the reply repeats a call that already failed ({reply.calls[0].name}): dropped, sampling "
                          f"again at temperature {self.state.temperature()}")

    def after_turn(self, turn: Turn) -> None:
        self.failed.update(call_key(c) for c, o in turn.results if not o.ok)
