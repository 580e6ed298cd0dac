"""llama.cpp's progress fields in a stream, as ModelProgress events: `prompt_progress` while the prompt is read
(sent with `return_progress`), per-token `timings` while the reply is generated (sent with `timings_per_token`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..events import ModelProgress

PROGRESS_FIELDS = {"return_progress": True, "timings_per_token": True}  # ask a llama.cpp server for them


class ProgressReader:
    """Called with every streamed chunk; emits every prompt update and at most one generation update per `every`
    seconds (the token count is the server's)."""

    def __init__(self, emit: Callable[[ModelProgress], None], every: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.emit, self.every, self.clock = emit, every, clock
        self.last = float("-inf")

    def __call__(self, chunk: Any) -> None:
        prompt = getattr(chunk, "prompt_progress", None)
        if isinstance(prompt, dict):
            self.emit(prompt_event(prompt))
            return
        timings = getattr(chunk, "timings", None)
        if isinstance(timings, dict) and timings.get("predicted_n") and self.clock() - self.last >= self.every:
            self.last = self.clock()
            self.emit(ModelProgress(stage="generate", done=int(timings["predicted_n"]),
                                    cached=int(timings.get("cache_n") or 0),
                                    tokens_per_s=_rate(timings.get("predicted_per_second"))))


def prompt_event(fields: dict[str, Any]) -> ModelProgress:
    """`{"total", "cache", "processed", "time_ms"}`: `processed` counts the cached tokens too."""
    done, cached, ms = int(fields.get("processed") or 0), int(fields.get("cache") or 0), fields.get("time_ms") or 0
    rate = (done - cached) * 1000 / ms if ms and done > cached else None
    return ModelProgress(stage="prompt", done=done, total=int(fields.get("total") or 0), cached=cached,
                         tokens_per_s=_rate(rate))


def _rate(value: Any) -> float | None:
    return round(float(value), 1) if isinstance(value, int | float) and value > 0 else None
