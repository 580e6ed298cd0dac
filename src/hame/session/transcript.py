"""The durable transcript: every event appended as one JSON line, flushed and fsynced, so a kill -9 loses at
most the line being written. `$HAME_STATE_DIR/sessions/<session-id>.jsonl` (default ~/.local/state/hame)."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import IO, Any

from ..events import Event, ModelProgress, TextDelta


def state_dir() -> Path:
    env = os.environ.get("HAME_STATE_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "hame"


def cache_dir() -> Path:
    """Shared, re-creatable data (assembled models, saved prompt caches): `$HAME_CACHE_DIR`, else
    `$XDG_CACHE_HOME/hame` (~/.cache/hame). Kept apart from the state dir so runs with their own state share it."""
    env = os.environ.get("HAME_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "hame"


def sessions_dir() -> Path:
    return state_dir() / "sessions"


def new_session_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


class Transcript:
    """Append-only JSONL writer; subscribe `transcript.write` to the event bus."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # backslashreplace: a non-UTF-8 file name (a lone surrogate) is written as its valid JSON escape
        self._fh: IO[str] = open(path, "a", encoding="utf-8", errors="backslashreplace")

    def write(self, event: Event) -> None:
        if isinstance(event, TextDelta | ModelProgress) or self._fh.closed:  # live-only events
            return
        self.append(event.to_dict())

    def append(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def read_records(path: Path, damaged: list[int] | None = None, typed: bool = True) -> list[dict[str, Any]]:
    """Every complete record of a JSONL file; a torn last line (killed mid-write) is skipped, and so is a line
    that is not a JSON object — with `typed` (a transcript), one with a `type` (its line number goes to `damaged`)."""
    records = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.endswith("\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict) and (not typed or isinstance(record.get("type"), str)):
                records.append(record)
            elif damaged is not None and line.strip():
                damaged.append(number)
    return records
