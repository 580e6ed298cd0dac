"""Headless progress while the model works: a line every `interval` seconds once a request has taken that long,
saying what the server reports (reading the prompt, writing) and the time so far, so a slow CPU model is never
silent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..events import ModelProgress
from .status import progress_text


def waiting_line(step: int, elapsed: float, latest: ModelProgress | None) -> str:
    doing = progress_text(latest) if latest else "waiting for the model"
    return f"[{step}] {doing} · {elapsed:.0f}s"


class Waiting:
    """`start` when a request goes out, `update` with the server's progress, `stop` when the reply is in."""

    def __init__(self, write: Callable[[str], None], interval: float = 2.0, tick: float = 0.25) -> None:
        self.write, self.interval, self.tick = write, interval, tick
        self.lock = threading.Lock()
        self.step, self.printed = 0, 0.0
        self.since: float | None = None  # when the request went out; None while no request is waiting
        self.latest: ModelProgress | None = None
        self.thread: threading.Thread | None = None

    def start(self, step: int) -> None:
        with self.lock:
            self.step, self.latest = step, None
            self.since = self.printed = time.monotonic()
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="hame-waiting", daemon=True)
                self.thread.start()

    def update(self, progress: ModelProgress) -> None:
        with self.lock:
            self.latest = progress

    def stop(self) -> None:
        with self.lock:
            self.since = None

    def _run(self) -> None:
        while True:
            time.sleep(self.tick)
            with self.lock:
                now = time.monotonic()
                if self.since is None or now - self.printed < self.interval:
                    continue
                self.printed = now
                line = waiting_line(self.step, now - self.since, self.latest)
                self.write(line)
