"""Child processes with a hard wall-clock limit: each runs in its own process group, which is killed whole when
the limit passes. On Linux a child also dies with its parent (PR_SET_PDEATHSIG), so a bench killed with
SIGKILL leaves no agent running behind it."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Finished:
    exit_code: int | None  # None when killed at the limit
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None


def run_limited(cmd: list[str], cwd: Path, env: dict[str, str], limit: float, out: Path,
                err: Path | None = None) -> Finished:
    """Run `cmd` with stdout to `out` (and stderr too, unless `err` is given); kill its group after `limit`."""
    start = time.monotonic()
    with open(out, "wb") as fo, open(err or os.devnull, "wb") as fe:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=fo,
                                stderr=fe if err else subprocess.STDOUT, start_new_session=True,
                                preexec_fn=die_with_parent_hook())
        try:
            code: int | None = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            code = None
    return Finished(code, time.monotonic() - start)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def die_with_parent_hook() -> Callable[[], None] | None:
    """A preexec hook that sets PDEATHSIG; only where it is safe (Linux, a single-threaded parent)."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return None
    return die_with_parent


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux only; a no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the hook ran
        os._exit(1)
