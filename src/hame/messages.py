"""Messages in OpenAI chat format (the lingua franca of hame) and the small records around them.

History entries are plain dicts exactly as they are sent to an OpenAI-compatible server, so the transcript,
the scripted model's request log and the wire format are the same bytes: nothing needs converting back.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any] | None  # None when the model sent arguments that are not a JSON object
    raw_arguments: str = ""

    def to_openai(self) -> dict[str, Any]:
        args = self.raw_arguments if self.arguments is None else compact_json(self.arguments)
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": args}}


def new_call_id() -> str:
    """Nine alphanumerics: the strictest format servers accept (Mistral's), short in every request."""
    return uuid.uuid4().hex[:9]


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_arguments(raw: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """Arguments as a dict, or None when they are not a JSON object."""
    if isinstance(raw, dict):
        return raw
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    estimated_input_tokens: int = 0  # the part of input_tokens that is an estimate: no usage came back

    @property
    def estimated(self) -> bool:
        return self.estimated_input_tokens > 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cached_tokens += other.cached_tokens
        self.estimated_input_tokens += other.estimated_input_tokens

    def to_dict(self) -> dict[str, int]:
        """The counts; `estimated_input_tokens` as well when some are estimates (a reply cut off while it streamed
        reports no usage): how much of those prompts the server took from its cache is not known."""
        out = {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
               "cached_tokens": self.cached_tokens}
        if self.estimated_input_tokens:
            out["estimated_input_tokens"] = self.estimated_input_tokens
        return out


@dataclass
class ModelResponse:
    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None


def system(text: str) -> Message:
    return {"role": "system", "content": text}


def user(text: str) -> Message:
    return {"role": "user", "content": text}


def assistant(text: str, calls: list[ToolCall] | None = None) -> Message:
    """An assistant turn; `content` is left out when it is empty and there are tool calls (as the API allows)."""
    msg: Message = {"role": "assistant"}
    if text or not calls:
        msg["content"] = text or ""
    if calls:
        msg["tool_calls"] = [c.to_openai() for c in calls]
    return msg


def tool_result(call_id: str, text: str) -> Message:
    return {"role": "tool", "tool_call_id": call_id, "content": text}


def estimate_tokens(text: str) -> int:
    """A local token estimate (~3.5 characters a token for code and English) when the server reports none."""
    return max(1, (len(text) * 2 + 6) // 7) if text else 0


def messages_tokens(messages: list[Message]) -> int:
    return sum(estimate_tokens(json.dumps(m, ensure_ascii=False)) for m in messages)
