"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol (plain and streamed),
plays back scripted replies, and records every request body it receives. A reply may be a function of the
request body (requests are served in threads, so concurrent requests can be told apart)."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any


def reply(content: str | None = None, calls: list[tuple[str, dict]] | None = None,
          usage: dict | None = None, finish_reason: str | None = None) -> dict[str, Any]:
    """One scripted assistant reply (`finish_reason="length"`: as if cut off at max_tokens)."""
    tool_calls = [{"id": f"c{i}", "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
                  for i, (n, a) in enumerate(calls or [])]
    msg: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        msg["tool_calls"] = tool_calls
    return {"message": msg, "usage": usage or {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
            "finish_reason": finish_reason}


def status(code: int) -> dict[str, Any]:
    """A scripted HTTP error reply."""
    return {"status": code}


class FakeOpenAI:
    def __init__(self, replies: list[dict[str, Any]], pages: dict[str, Any] | None = None) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.keys: list[str | None] = []  # each POST's Authorization header
        self.pages = pages or {}  # GET path -> JSON body (e.g. llama.cpp's "/props"); others are 404
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                found = self.path in server.pages
                data = json.dumps(server.pages[self.path] if found else {"error": "not found"}).encode()
                self.send_response(200 if found else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                server.requests.append(body)
                server.keys.append(self.headers.get("authorization"))
                item = server.replies.pop(0) if server.replies else status(500)
                if callable(item):  # a reply chosen from the request, in the handler's thread
                    item = item(body)
                if "status" in item:
                    data = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode()
                    self.send_response(item["status"])
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                elif body.get("stream"):
                    self._stream(item)
                else:
                    self._plain(item)

            def _plain(self, item: dict[str, Any]) -> None:
                fr = item.get("finish_reason") or ("tool_calls" if item["message"].get("tool_calls") else "stop")
                data = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                                   "choices": [{"index": 0, "message": item["message"], "finish_reason": fr}],
                                   "usage": item["usage"]}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, item: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                msg = item["message"]
                chunks: list[dict[str, Any]] = [{"choices": [{"index": 0, "delta": {"role": "assistant"}}]}]
                for piece in _pieces(msg.get("content") or ""):
                    chunks.append({"choices": [{"index": 0, "delta": {"content": piece}}]})
                for i, tc in enumerate(msg.get("tool_calls") or []):
                    args = tc["function"]["arguments"]
                    head = {"index": i, "id": tc["id"], "type": "function",
                            "function": {"name": tc["function"]["name"], "arguments": args[: len(args) // 2]}}
                    tail = {"index": i, "function": {"arguments": args[len(args) // 2:]}}
                    chunks += [{"choices": [{"index": 0, "delta": {"tool_calls": [head]}}]},
                               {"choices": [{"index": 0, "delta": {"tool_calls": [tail]}}]}]
                fr = item.get("finish_reason") or ("tool_calls" if msg.get("tool_calls") else "stop")
                chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": fr}]})
                chunks.append({"choices": [], "usage": item["usage"]})
                chunks[:0] = [{"choices": [], **extra} for extra in item.get("before", [])]  # e.g. prompt_progress
                for chunk in chunks:
                    chunk.update({"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m"})
                    self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.write(b"data: [DONE]\n\n")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _pieces(text: str, n: int = 3) -> list[str]:
    step = max(1, len(text) // n)
    return [text[i:i + step] for i in range(0, len(text), step)]
