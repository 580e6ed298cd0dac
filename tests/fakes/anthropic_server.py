"""A real HTTP server on 127.0.0.1 that speaks the Anthropic Messages API (`POST /v1/messages`, streamed as
server-sent events in the shape the real API sends: message_start, content_block_start / ping /
content_block_delta (text_delta, input_json_delta) / content_block_stop, message_delta with usage,
message_stop), plays back scripted replies, and records every request body and its headers."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

USAGE = {"input_tokens": 120, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1}


def reply(text: str = "", calls: list[tuple[str, dict]] | None = None, usage: dict | None = None,
          output_tokens: int = 12) -> dict[str, Any]:
    """One scripted assistant reply: text, then tool_use blocks; `usage` is message_start's usage."""
    return {"text": text, "calls": calls or [], "usage": {**USAGE, **(usage or {})}, "output_tokens": output_tokens}


def status(code: int, kind: str = "api_error", message: str = "scripted failure") -> dict[str, Any]:
    """A scripted HTTP error reply with the API's error body (529 overloaded_error, 429 rate_limit_error...)."""
    return {"status": code, "error": {"type": kind, "message": message}}


def stream_error(kind: str = "overloaded_error", message: str = "Overloaded") -> dict[str, Any]:
    """A 200 stream that starts, then sends an `error` event (how the real API reports overload mid-reply)."""
    return {"stream_error": {"type": kind, "message": message}}


def events(item: dict[str, Any], model: str) -> list[tuple[str, dict[str, Any]]]:
    """The SSE events of one scripted reply."""
    out: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "content": [],
        "model": model, "stop_reason": None, "stop_sequence": None, "usage": item["usage"]}})]
    index = 0
    if item["text"]:
        out += _text_block(index, item["text"])
        index += 1
    for i, (name, args) in enumerate(item["calls"]):
        out += _tool_block(index, f"toolu_01A09q90qw90lq917835lq9{i}", name, json.dumps(args))
        index += 1
    stop = "tool_use" if item["calls"] else "end_turn"
    out.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                  "usage": {"output_tokens": item["output_tokens"]}}))
    out.append(("message_stop", {"type": "message_stop"}))
    return out


def _text_block(index: int, text: str) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = [
        ("content_block_start", {"type": "content_block_start", "index": index,
                                 "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"})]
    for piece in _pieces(text):
        out.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                            "delta": {"type": "text_delta", "text": piece}}))
    out.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return out


def _tool_block(index: int, call_id: str, name: str, args: str) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = [
        ("content_block_start", {"type": "content_block_start", "index": index,
                                 "content_block": {"type": "tool_use", "id": call_id, "name": name, "input": {}}})]
    for piece in ["", *_pieces(args)]:
        out.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                            "delta": {"type": "input_json_delta", "partial_json": piece}}))
    out.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return out


class FakeAnthropic:
    def __init__(self, replies: list[dict[str, Any]]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                server.requests.append(body)
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                item = server.replies.pop(0) if server.replies else status(500)
                if self.path.rstrip("/") != "/v1/messages":
                    item = status(404, "not_found_error", f"no route {self.path}")
                if "status" in item:
                    self._json(item["status"], {"type": "error", "error": item["error"]})
                else:
                    self._stream(item, body.get("model", "m"))

            def _json(self, code: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, item: dict[str, Any], model: str) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream; charset=utf-8")
                self.end_headers()
                if "stream_error" in item:
                    sse = events(reply("partial "), model)[:3]
                    sse.append(("error", {"type": "error", "error": item["stream_error"]}))
                else:
                    sse = events(item, model)
                for name, data in sse:
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def __enter__(self) -> FakeAnthropic:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _pieces(text: str, n: int = 3) -> list[str]:
    step = max(1, len(text) // n)
    return [text[i:i + step] for i in range(0, len(text), step)]
