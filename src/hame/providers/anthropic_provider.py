"""Claude through the official `anthropic` SDK (Messages API): native tool use, streaming, prompt caching on the
stable prefix and the growing transcript (anthropic_format.py), and retries with backoff on 429, 5xx, 529
(overloaded) and broken connections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anthropic

from ..errors import ProviderError
from ..messages import ModelResponse, ToolCall, Usage, parse_arguments
from .anthropic_format import request_params
from .base import ModelRequest, TextCallback
from .repetition import is_degenerate
from .retry import RETRY_DELAYS, SdkErrors, retryable_status, transport_errors, with_retries

DEFAULT_MAX_TOKENS = 8192  # the API requires max_tokens; used when the profile sets none
STOP_REASONS = {"end_turn": "stop", "tool_use": "tool_calls", "max_tokens": "length", "stop_sequence": "stop"}
RETRYABLE_TYPES = ("overloaded_error", "rate_limit_error", "api_error", "timeout_error")


class AnthropicProvider:
    def __init__(self, model: str, *, base_url: str | None, api_key: str | None, context_window: int | None = None,
                 timeout: float = 600.0, retry_delays: tuple[float, ...] = RETRY_DELAYS,
                 notice: Callable[[str], None] | None = None) -> None:
        self.model = model
        self.name = f"anthropic:{model}"
        self.context_window = context_window
        self.retry_delays = retry_delays
        self.notice = notice or (lambda _msg: None)
        self.client = anthropic.Anthropic(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout,
                                          max_retries=0)

    @property
    def base_url(self) -> str:
        return str(self.client.base_url)

    def complete(self, request: ModelRequest, on_text: TextCallback | None = None) -> ModelResponse:
        return with_retries(lambda: self._stream(request, on_text), self.retry_delays, self.notice)

    def _stream(self, request: ModelRequest, on_text: TextCallback | None) -> ModelResponse:
        params = request_params(self.model, request, DEFAULT_MAX_TOKENS)
        with transport_errors(SDK_ERRORS, self.base_url):
            stream = self.client.messages.create(**params, stream=True)
            return _collect(stream, on_text)

    def close(self) -> None:
        self.client.close()


class _Reply:
    """What the stream has said so far."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.calls: dict[int, dict[str, str]] = {}
        self.usage: dict[str, int] = {}
        self.stop: str | None = None

    def usage_from(self, raw: Any) -> None:
        for key in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"):
            value = getattr(raw, key, None)
            if value is not None:
                self.usage[key] = value

    def response(self) -> ModelResponse:
        calls = [ToolCall(id=c["id"] or f"call_{i}", name=c["name"], arguments=parse_arguments(c["json"]),
                          raw_arguments=c["json"]) for i, c in sorted(self.calls.items())]
        return ModelResponse(text="".join(self.parts), tool_calls=calls, usage=usage_of(self.usage),
                             finish_reason=STOP_REASONS.get(self.stop or "", self.stop))


def _collect(stream: Any, on_text: TextCallback | None) -> ModelResponse:
    reply = _Reply()
    unchecked = 0
    for event in stream:
        kind = getattr(event, "type", "")
        if kind == "message_start":
            reply.usage_from(event.message.usage)
        elif kind == "content_block_start" and event.content_block.type == "tool_use":
            block = event.content_block
            reply.calls[event.index] = {"id": block.id, "name": block.name, "json": ""}
        elif kind == "content_block_delta":
            text = _delta(reply, event)
            if text:
                reply.parts.append(text)
                unchecked += len(text)
                if on_text:
                    on_text(text)
        elif kind == "message_delta":
            reply.stop = event.delta.stop_reason or reply.stop
            reply.usage_from(event.usage)
        if unchecked >= 256:
            unchecked = 0
            if not reply.calls and is_degenerate("".join(reply.parts)):
                stream.close()
                reply.stop = "repetition"
                break
    return reply.response()


def _delta(reply: _Reply, event: Any) -> str:
    """Apply one content_block_delta; the text it adds, if any."""
    delta = event.delta
    if delta.type == "text_delta":
        return str(delta.text)
    if delta.type == "input_json_delta" and event.index in reply.calls:
        reply.calls[event.index]["json"] += delta.partial_json
    return ""


def usage_of(raw: dict[str, int]) -> Usage:
    """Input tokens include those read from and written to the prompt cache; `cached_tokens` are those read."""
    read = raw.get("cache_read_input_tokens", 0)
    written = raw.get("cache_creation_input_tokens", 0)
    return Usage(input_tokens=raw.get("input_tokens", 0) + read + written, output_tokens=raw.get("output_tokens", 0),
                 cached_tokens=read)


def _status_error(exc: anthropic.APIStatusError) -> ProviderError:
    status = exc.status_code
    kind, message = _error_body(exc)
    retryable = retryable_status(status) or kind in RETRYABLE_TYPES
    hint = {401: " (check --api-key / ANTHROPIC_API_KEY)",
            404: " (check the model name in --model anthropic:NAME and --base-url)"}.get(status, "")
    where = f"HTTP {status}" if status != 200 else "an error mid-reply"
    label = f" {kind}" if kind else ""
    return ProviderError(f"the Anthropic API returned {where}{label}{hint}: {message[:300]}", retryable=retryable,
                         status=status)


SDK_ERRORS = SdkErrors(anthropic.APIStatusError, anthropic.APIConnectionError, "the Anthropic API", _status_error)


def _error_body(exc: anthropic.APIStatusError) -> tuple[str, str]:
    """(error type, message) from a body like {"type": "error", "error": {"type": ..., "message": ...}}."""
    body = exc.body
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("type") or ""), str(error.get("message") or "")
    return "", str(exc.message or "")


