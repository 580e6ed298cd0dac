"""Any OpenAI-compatible chat-completions server (OpenAI, vLLM, llama.cpp, Ollama, LM Studio) through the
official `openai` SDK: native function calling, streaming, and retries with backoff from one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai

from ..errors import ProviderError
from ..messages import ModelResponse, ToolCall, Usage, parse_arguments
from .base import ModelRequest, TextCallback
from .repetition import is_degenerate
from .retry import RETRY_DELAYS, SdkErrors, retryable_status, transport_errors, with_retries


class OpenAICompatible:
    def __init__(self, model: str, *, base_url: str | None, api_key: str | None, context_window: int | None = None,
                 extra_body: dict[str, Any] | None = None, timeout: float = 600.0,
                 retry_delays: tuple[float, ...] = RETRY_DELAYS, notice: Callable[[str], None] | None = None,
                 on_chunk: Callable[[Any], None] | None = None) -> None:
        self.model = model
        self.name = f"openai:{model}"
        self.context_window = context_window
        self.extra_body = dict(extra_body or {})
        self.retry_delays = retry_delays
        self.notice = notice or (lambda _msg: None)
        self.on_chunk = on_chunk  # sees every streamed chunk (a llama.cpp server's progress fields)
        self.client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0)

    @property
    def base_url(self) -> str:
        return str(self.client.base_url)

    def complete(self, request: ModelRequest, on_text: TextCallback | None = None) -> ModelResponse:
        return with_retries(lambda: self._stream(request, on_text), self.retry_delays, self.notice)

    def _stream(self, request: ModelRequest, on_text: TextCallback | None) -> ModelResponse:
        kwargs: dict[str, Any] = {"model": self.model, "messages": request.messages, "stream": True,
                                  "stream_options": {"include_usage": True}}
        if request.tools:
            kwargs["tools"] = request.tools
        if request.max_tokens:
            kwargs["max_tokens"] = request.max_tokens
        if request.temperature is not None:
            kwargs["temperature"] = request.temperature
        if request.response_format:
            kwargs["response_format"] = request.response_format
        extra = dict(self.extra_body)
        if request.slot is not None and "cache_prompt" in extra:
            extra["id_slot"] = request.slot
        if request.grammar:
            extra["grammar"] = request.grammar
        if extra:
            kwargs["extra_body"] = extra
        with transport_errors(SDK_ERRORS, self.base_url):
            stream = self.client.chat.completions.create(**kwargs)
            return _collect(stream, on_text, request.stop_when, self.on_chunk)

    def close(self) -> None:
        self.client.close()


def _collect(stream: Any, on_text: TextCallback | None, stop_when: Callable[[str], str | None] | None,
             on_chunk: Callable[[Any], None] | None = None) -> ModelResponse:
    """The streamed reply. Every 256 characters its text is checked: one that has degenerated into repetition, or
    that `stop_when` gives a reason for, is cut there (the stream is closed) with that reason as its finish_reason."""
    parts: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    usage = Usage()
    finish: str | None = None
    unchecked = 0
    for chunk in stream:
        if on_chunk:
            on_chunk(chunk)
        if chunk.usage:
            usage = _usage(chunk.usage, getattr(chunk, "timings", None))
        for choice in chunk.choices:
            delta = choice.delta
            if delta.content:
                parts.append(delta.content)
                unchecked += len(delta.content)
                if on_text:
                    on_text(delta.content)
            for tc in delta.tool_calls or []:
                acc = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                acc["id"] = tc.id or acc["id"]
                if tc.function:
                    acc["name"] += tc.function.name or ""
                    acc["arguments"] += tc.function.arguments or ""
            finish = choice.finish_reason or finish
        if unchecked >= 256 and not calls:
            unchecked = 0
            text = "".join(parts)
            cut = "repetition" if is_degenerate(text) else stop_when(text) if stop_when else None
            if cut:
                stream.close()
                finish = cut
                break
    tool_calls = [ToolCall(id=c["id"] or f"call_{i}", name=c["name"], arguments=parse_arguments(c["arguments"]),
                           raw_arguments=c["arguments"]) for i, c in sorted(calls.items())]
    return ModelResponse(text="".join(parts), tool_calls=tool_calls, usage=usage, finish_reason=finish)


def _usage(u: Any, timings: Any) -> Usage:
    details = getattr(u, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or 0
    if not cached and isinstance(timings, dict):
        cached = int(timings.get("cache_n") or 0)
    return Usage(input_tokens=u.prompt_tokens or 0, output_tokens=u.completion_tokens or 0, cached_tokens=cached)


def _status_error(exc: openai.APIStatusError) -> ProviderError:
    status = exc.status_code
    body = exc.message or ""
    retryable = retryable_status(status)
    hint = {401: " (check --api-key / OPENAI_API_KEY)", 404: " (check --base-url and the model name)"}.get(status, "")
    return ProviderError(f"model server returned HTTP {status}{hint}: {body[:300]}", retryable=retryable,
                         status=status)


SDK_ERRORS = SdkErrors(openai.APIStatusError, openai.APIConnectionError, "the model server", _status_error)
