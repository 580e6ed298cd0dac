"""Token accounting for one conversation: how big the next request is, how big it may grow before it is
compacted, and how much room a new tool output has.

Sizes are estimated over the request body exactly as it is sent (`ModelRequest.wire()`; the scripted model logs
the same bytes), and scaled up when the server reports more prompt tokens than were estimated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..messages import Message, Usage, estimate_tokens
from ..providers.base import ModelRequest

CHARS_PER_TOKEN = 3.5  # the inverse of `estimate_tokens`
DEFAULT_WINDOW = 32768
DEFAULT_REPLY_TOKENS = 2048  # kept free for the reply when the profile sets no max_tokens
SUMMARY_TOKENS = 1024
MAX_RATIO = 2.5
MIN_OUTPUT_CHARS = 600  # below this a clipped output tells the model nothing; compaction makes room instead


@dataclass
class Budget:
    window: int
    reply_tokens: int
    summary_tokens: int
    threshold: float = 0.75  # compact when the next request would pass this share of the window
    note_from: float = 0.5  # tell the model how full its context is above this share
    ratio: float = 1.0  # server tokens per estimated token, never below 1

    @classmethod
    def for_window(cls, window: int | None, max_tokens: int | None, threshold: float = 0.75) -> Budget:
        window = window or DEFAULT_WINDOW
        reply = min(max_tokens, window // 4) if max_tokens else min(DEFAULT_REPLY_TOKENS, window // 8)
        return cls(window, reply, min(SUMMARY_TOKENS, window // 8), threshold)

    @property
    def trigger(self) -> int:
        """Requests above this many tokens are compacted first (room is left for the reply and a summary)."""
        return min(int(self.window * self.threshold), self.window - self.reply_tokens - self.summary_tokens)

    @property
    def hard_limit(self) -> int:
        """No request may be bigger: the rest of the window is the reply's."""
        return self.window - self.reply_tokens

    def target(self, fixed: int, free: float = 0.5) -> int:
        """What a compaction aims for: this share of the room between the fixed prefix and the trigger free again,
        so compactions stay rare (stubbing old outputs costs no model call: a quarter is enough for it)."""
        return self.trigger - int(max(0, self.trigger - fixed) * free)

    def tokens(self, messages: list[Message], tools: list[dict[str, Any]] | None = None,
               response_format: dict[str, Any] | None = None) -> int:
        return int(request_tokens(messages, tools, response_format) * self.ratio + 0.999)

    def text_tokens(self, text: str) -> int:
        return int(estimate_tokens(json.dumps(text, ensure_ascii=False)) * self.ratio + 0.999)

    def chars(self, tokens: int) -> int:
        """About how many characters of plain text fit in `tokens` (JSON escaping included)."""
        return max(0, int(tokens * CHARS_PER_TOKEN / self.ratio * 0.9))

    def observe(self, usage: Usage, estimated: int) -> None:
        """Learn from a server that counted the prompt itself (never shrinks the estimate below 1:1)."""
        if usage.estimated or not usage.input_tokens or not estimated:
            return
        self.ratio = min(MAX_RATIO, max(1.0, usage.input_tokens / estimated))

    def note(self, tokens: int) -> str | None:
        """A short note for the model once its context is more than half full."""
        if tokens <= self.window * self.note_from:
            return None
        soon = "; older turns are compacted before your next reply" if tokens > self.trigger else ""
        return f"[context: {100 * tokens // self.window}% of {short(self.window)} tokens{soon}]"


def request_tokens(messages: list[Message], tools: list[dict[str, Any]] | None = None,
                   response_format: dict[str, Any] | None = None) -> int:
    """The local estimate of a request, over the same JSON a server receives."""
    body = ModelRequest(messages, tools or [], response_format=response_format).wire()
    return estimate_tokens(json.dumps(body, ensure_ascii=False))


def short(tokens: int) -> str:
    """16384 -> '16k', 8192 -> '8k', 131072 -> '128k', 6000 -> '6k'."""
    if tokens % 1024 == 0:
        return f"{tokens // 1024}k"
    return f"{round(tokens / 1000)}k" if tokens >= 1000 else str(tokens)
