"""Advisory file locks (fcntl.flock) so two hame processes on one workspace never corrupt each other's state:
one lock per session (held while a process has the session open), one per shadow checkpoint repository (held
around each git operation on it). The kernel drops a lock when its process dies, even by SIGKILL."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO

from ..errors import Fatal


class Locked(Fatal):
    """Another process holds the lock; the message says which and what to do."""


class FileLock:
    """An exclusive flock on `path`; the holder's pid is written into the file for the error message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def try_acquire(self) -> bool:
        if self._fh is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return False
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return True

    def acquire(self, timeout: float, what: str) -> None:
        """Wait up to `timeout` seconds, then raise Locked."""
        deadline = time.monotonic() + timeout
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                raise Locked(f"{what} is locked by another hame process{self.holder()}; waited {timeout:.0f}s")
            time.sleep(0.05)

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def holder(self) -> str:
        try:
            pid = self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""
        return f" (pid {pid})" if pid.isdigit() else ""

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_session(session_dir: Path, session_id: str) -> FileLock:
    """Take the lock of one session or raise Locked with a message for the user."""
    lock = FileLock(session_dir / "session.lock")
    if not lock.try_acquire():
        raise Locked(f"session {session_id} is in use by another hame process{lock.holder()}. "
                     "Wait for it to finish, or start a new session (without --resume/--continue).")
    return lock
