"""The model seam: one small interface every provider implements, and the parsing of `--model` specs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..messages import Message, ModelResponse

TextCallback = Callable[[str], None]


@dataclass
class ModelRequest:
    messages: list[Message]
    tools: list[dict[str, Any]] = field(default_factory=list)
    max_tokens: int | None = None
    temperature: float | None = None
    response_format: dict[str, Any] | None = None
    slot: int | None = None  # llama.cpp server slot: side requests use their own so the main KV cache survives
    grammar: str | None = None  # a llama.cpp GBNF grammar the reply must follow (servers without one ignore it)
    stop_when: Callable[[str], str | None] | None = None  # the reply's text so far -> a reason to cut it there

    def wire(self) -> dict[str, Any]:
        """The request body (messages and tools) as an OpenAI-compatible server receives it."""
        body: dict[str, Any] = {"messages": self.messages}
        if self.tools:
            body["tools"] = self.tools
        if self.response_format:
            body["response_format"] = self.response_format
        if self.grammar:
            body["grammar"] = self.grammar
        return body


@dataclass(frozen=True)
class InfillRequest:
    """Fill in the middle: the code before and after the gap, and other files the model reads first."""

    prefix: str
    suffix: str
    extra: tuple[tuple[str, str], ...] = ()  # (path, text)
    temperature: float = 0.0
    max_tokens: int = 64
    seed: int = 0
    enough: Callable[[str], bool] | None = None  # the fill so far -> stop it here (the rest is not used)


@dataclass(frozen=True)
class InfillReply:
    text: str
    cut: bool  # the token limit cut it: its last line may be unfinished
    prompt_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0


Infill = Callable[[InfillRequest], InfillReply]


def infiller(provider: object) -> Infill | None:
    """The provider's fill-in-the-middle, when its model has one (the embedded llama.cpp models, a scripted one
    whose script holds fills)."""
    fill = getattr(provider, "infill", None)
    return fill if callable(fill) and getattr(provider, "can_infill", False) else None


class Provider(Protocol):
    name: str
    context_window: int | None

    def complete(self, request: ModelRequest, on_text: TextCallback | None = None) -> ModelResponse: ...

    def close(self) -> None: ...
