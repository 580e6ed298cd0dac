"""The openai: provider against a real local HTTP server speaking chat completions."""

from __future__ import annotations

import socket

import pytest

from hame.errors import ProviderError
from hame.messages import user
from hame.providers.base import ModelRequest
from hame.providers.openai_compat import OpenAICompatible

from ..fakes.openai_server import FakeOpenAI, reply, status

TOOLS = [{"type": "function", "function": {"name": "read_file", "parameters": {"type": "object", "properties": {}}}}]


def provider(url: str, **kw) -> OpenAICompatible:
    return OpenAICompatible("m", base_url=url, api_key="k", retry_delays=(0.01, 0.01), **kw)


def test_streamed_text_and_usage() -> None:
    seen: list[str] = []
    with FakeOpenAI([reply("hello there, world", usage={"prompt_tokens": 50, "completion_tokens": 5,
                                                        "prompt_tokens_details": {"cached_tokens": 40}})]) as srv:
        out = provider(srv.url).complete(ModelRequest([user("hi")]), seen.append)
    assert out.text == "hello there, world" and "".join(seen) == out.text
    assert (out.usage.input_tokens, out.usage.output_tokens, out.usage.cached_tokens) == (50, 5, 40)
    assert srv.requests[0]["stream"] is True and srv.requests[0]["messages"] == [{"role": "user", "content": "hi"}]


def test_streamed_tool_call_arguments_are_reassembled() -> None:
    with FakeOpenAI([reply(None, [("read_file", {"path": "a.py", "limit": 5})])]) as srv:
        out = provider(srv.url).complete(ModelRequest([user("hi")], tools=TOOLS))
    assert [(c.name, c.arguments) for c in out.tool_calls] == [("read_file", {"path": "a.py", "limit": 5})]
    assert srv.requests[0]["tools"] == TOOLS


def test_500_then_success_is_retried() -> None:
    notices: list[str] = []
    with FakeOpenAI([status(500), status(429), reply("ok")]) as srv:
        out = provider(srv.url, notice=notices.append).complete(ModelRequest([user("hi")]))
    assert out.text == "ok" and len(srv.requests) == 3
    assert "HTTP 500" in notices[0] and "retrying" in notices[0]


def test_400_is_not_retried() -> None:
    with FakeOpenAI([status(400), reply("never")]) as srv, pytest.raises(ProviderError, match="HTTP 400"):
        provider(srv.url).complete(ModelRequest([user("hi")]))
    assert len(srv.requests) == 1


def test_dead_port_is_a_clear_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(ProviderError, match="cannot reach the model server .* is the server running"):
        provider(f"http://127.0.0.1:{port}/v1").complete(ModelRequest([user("hi")]))


def test_llamacpp_extras_and_slot_are_sent_when_configured() -> None:
    with FakeOpenAI([reply("ok")]) as srv:
        provider(srv.url, extra_body={"cache_prompt": True}).complete(ModelRequest([user("hi")], slot=1,
                                                                                   max_tokens=64))
    body = srv.requests[0]
    assert body["cache_prompt"] is True and body["id_slot"] == 1 and body["max_tokens"] == 64


def test_degenerate_repetition_is_cut() -> None:
    looping = "Here is the fix:\n" + "the same line again and again\n" * 400
    with FakeOpenAI([reply(looping)]) as srv:
        out = provider(srv.url).complete(ModelRequest([user("hi")]))
    assert out.finish_reason == "repetition"
