"""A metering proxy for a peer agent's model calls: it stands between the agent and an OpenAI-compatible server,
passes every request and reply through unchanged (streamed replies chunk by chunk), and adds up what each reply's
`usage` reports — prompt tokens sent, served from the server's cache, output tokens — and the time spent waiting
for the model. So a peer (aider, mini-swe-agent) gets the same token and time figures as hame in one results table,
without any change to the peer."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

HOP_HEADERS = {"host", "content-length", "connection", "transfer-encoding", "keep-alive", "accept-encoding"}


@dataclass
class Metered:
    requests: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    model_s: float = 0.0

    def add(self, usage: dict[str, Any] | None, seconds: float) -> None:
        self.requests += 1
        self.model_s += seconds
        if usage:
            self.input_tokens += int(usage.get("prompt_tokens") or 0)
            self.output_tokens += int(usage.get("completion_tokens") or 0)
            self.cached_tokens += int(usage.get("cached_tokens") or 0)


class Meter:
    """`with Meter("http://127.0.0.1:8080/v1") as m:` point the agent at `m.url`; `m.totals` holds the sums."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream.rstrip("/"))
        self.upstream = parts
        self.path = parts.path  # "/v1": the proxy serves the same paths as the server
        self.totals = Metered()
        self._lock = threading.Lock()
        self._open: set[http.client.HTTPConnection] = set()  # calls in flight, hung up on exit
        meter = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                meter._forward(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                meter._forward(self, "POST")

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}{self.path}"

    def __enter__(self) -> Meter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:  # a stopped agent's call still in flight: hang up, so the server cancels it
            for conn in self._open:
                if conn.sock is not None:
                    with contextlib.suppress(OSError):
                        conn.sock.shutdown(socket.SHUT_RDWR)

    def _connection(self) -> http.client.HTTPConnection:
        u = self.upstream
        cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        return cls(u.hostname or "127.0.0.1", u.port, timeout=None)

    def _forward(self, h: http.server.BaseHTTPRequestHandler, method: str) -> None:
        body = h.rfile.read(int(h.headers.get("content-length") or 0)) if method == "POST" else None
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP_HEADERS}
        start = time.monotonic()
        seen = bytearray()
        answered = False
        conn = self._connection()
        with self._lock:
            self._open.add(conn)
        try:
            conn.request(method, h.path, body=body, headers=headers)
            r = conn.getresponse()
            answered = True
            h.send_response(r.status)
            for key, value in r.getheaders():
                if key.lower() not in HOP_HEADERS | {"content-encoding"}:
                    h.send_header(key, value)
            h.send_header("connection", "close")  # the body ends when the connection does (HTTP/1.0)
            h.end_headers()
            while chunk := r.read1(65536):
                seen += chunk
                h.wfile.write(chunk)
                h.wfile.flush()
        except (OSError, http.client.HTTPException) as exc:  # the server is gone, the agent hung up, or we did
            if not answered:  # still counted below: a call cut off when its agent was stopped took model time
                with contextlib.suppress(OSError):
                    h.send_error(502, f"hame meter: no answer from the model server ({type(exc).__name__})")
        finally:
            with self._lock:
                self._open.discard(conn)
            conn.close()
        if method == "POST":
            with self._lock:
                self.totals.add(usage_of(bytes(seen)), time.monotonic() - start)


def usage_of(body: bytes) -> dict[str, Any] | None:
    """The usage a chat-completions reply reports, plain JSON or a server-sent event stream (the last chunk that
    carries one); `cached_tokens` from `prompt_tokens_details`, else llama.cpp's `timings.cache_n`."""
    text = body.decode("utf-8", "replace")
    docs: list[Any] = []
    if text.lstrip().startswith("{"):
        docs.append(_json(text))
    else:
        docs.extend(_json(line[5:]) for line in text.splitlines() if line.startswith("data:"))
    found: dict[str, Any] | None = None
    for doc in docs:
        if isinstance(doc, dict) and isinstance(doc.get("usage"), dict):
            found = dict(doc["usage"])
            found["cached_tokens"] = _field(found, "prompt_tokens_details", "cached_tokens") or \
                _field(doc, "timings", "cache_n") or 0
    return found


def _field(doc: dict[str, Any], table: str, key: str) -> Any:
    inner = doc.get(table)
    return inner.get(key) if isinstance(inner, dict) else None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
