"""The anthropic: provider against a real local HTTP server speaking the Messages API, and through the real CLI."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from hame.errors import ProviderError
from hame.messages import system, user
from hame.providers.anthropic_provider import AnthropicProvider
from hame.providers.base import ModelRequest

from ..conftest import make_workspace
from ..fakes.anthropic_server import FakeAnthropic, reply, status, stream_error

PARAMS = {"type": "object", "properties": {"path": {"type": "string"}}}
TOOLS = [{"type": "function", "function": {"name": "read_file", "description": "Read a file.", "parameters": PARAMS}}]


def provider(url: str, **kw) -> AnthropicProvider:
    return AnthropicProvider("claude-x", base_url=url, api_key="sk-test", retry_delays=(0.01, 0.01, 0.01), **kw)


def test_streamed_text_and_cache_usage() -> None:
    seen: list[str] = []
    usage = {"input_tokens": 20, "cache_read_input_tokens": 900, "cache_creation_input_tokens": 80}
    with FakeAnthropic([reply("hello there, world", usage=usage, output_tokens=7)]) as srv:
        out = provider(srv.url).complete(ModelRequest([system("sys"), user("hi")]), seen.append)
    assert out.text == "hello there, world" and "".join(seen) == out.text and out.finish_reason == "stop"
    assert (out.usage.input_tokens, out.usage.output_tokens, out.usage.cached_tokens) == (1000, 7, 900)
    body, headers = srv.requests[0], srv.headers[0]
    assert body["stream"] is True and body["model"] == "claude-x" and body["max_tokens"] == 8192
    assert body["system"] == [{"type": "text", "text": "sys", "cache_control": {"type": "ephemeral"}}]
    assert "sk-test" in (headers.get("x-api-key", ""), headers.get("authorization", "")[len("Bearer "):])
    assert "anthropic-version" in headers


def test_streamed_tool_use_is_reassembled() -> None:
    with FakeAnthropic([reply("Reading.", [("read_file", {"path": "a.py", "limit": 5})])]) as srv:
        out = provider(srv.url).complete(ModelRequest([user("hi")], tools=TOOLS))
    assert [(c.name, c.arguments) for c in out.tool_calls] == [("read_file", {"path": "a.py", "limit": 5})]
    assert out.tool_calls[0].id.startswith("toolu_") and out.finish_reason == "tool_calls"
    assert srv.requests[0]["tools"] == [{"name": "read_file", "description": "Read a file.", "cache_control":
                                         {"type": "ephemeral"}, "input_schema": TOOLS[0]["function"]["parameters"]}]


def test_overloaded_rate_limited_and_mid_stream_errors_are_retried() -> None:
    notices: list[str] = []
    replies = [status(529, "overloaded_error", "Overloaded"), status(429, "rate_limit_error"), stream_error(),
               reply("ok")]
    with FakeAnthropic(replies) as srv:
        out = provider(srv.url, notice=notices.append).complete(ModelRequest([user("hi")]))
    assert out.text == "ok" and len(srv.requests) == 4
    assert "HTTP 529 overloaded_error" in notices[0] and "retrying" in notices[0]
    assert "mid-reply overloaded_error" in notices[2]


def test_bad_request_is_not_retried_and_401_names_the_key() -> None:
    with FakeAnthropic([status(400, "invalid_request_error", "messages: bad"), reply("never")]) as srv, \
            pytest.raises(ProviderError, match="HTTP 400 invalid_request_error: messages: bad"):
        provider(srv.url).complete(ModelRequest([user("hi")]))
    assert len(srv.requests) == 1
    with FakeAnthropic([status(401, "authentication_error", "invalid x-api-key")]) as srv, \
            pytest.raises(ProviderError, match="ANTHROPIC_API_KEY"):
        provider(srv.url).complete(ModelRequest([user("hi")]))


def test_dead_port_is_a_clear_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(ProviderError, match="cannot reach the Anthropic API .* is the server running"):
        provider(f"http://127.0.0.1:{port}").complete(ModelRequest([user("hi")]))


def test_cli_run_converts_history_and_moves_the_cache_breakpoint(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"calc.py": "def add(a, b):\n    return a - b\n"})
    replies = [reply("Let me read it.", [("read_file", {"path": "calc.py"})],
                     usage={"cache_creation_input_tokens": 900}),
               reply("add() subtracts.", usage={"cache_read_input_tokens": 900, "input_tokens": 40})]
    with FakeAnthropic(replies) as srv:
        proc = hame("-p", "why is add wrong?", "--cwd", str(ws), "--model", "anthropic:claude-x",
                    "--base-url", srv.url, "--output-format", "json", "--sandbox", "none")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["result"] == "add() subtracts."
    assert out["usage"] == {"input_tokens": (120 + 900) + (40 + 900), "output_tokens": 24, "cached_tokens": 900}
    first, second = srv.requests
    assert [t["role"] for t in second["messages"]] == ["user", "assistant", "user"]
    use, result = second["messages"][1]["content"][-1], second["messages"][2]["content"][0]
    assert use["type"] == "tool_use" and use["name"] == "read_file" and use["input"] == {"path": "calc.py"}
    assert result["type"] == "tool_result" and result["tool_use_id"] == use["id"]
    assert "return a - b" in result["content"]
    assert "cache_control" in first["messages"][-1]["content"][-1]
    assert "cache_control" in second["messages"][0]["content"][-1]  # where the first request ended: read back
    assert "cache_control" in second["messages"][-1]["content"][-1]
    assert sum(str(r).count("cache_control") for r in [second]) <= 4
    assert second["system"][0]["text"] == first["system"][0]["text"] and first["tools"] == second["tools"]


def test_cli_without_key_or_url_is_a_usage_error(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "x"}, git=False)
    proc = hame("-p", "hi", "--cwd", str(ws), "--model", "anthropic:claude-x")
    assert proc.returncode == 2 and "ANTHROPIC_API_KEY" in proc.stderr
