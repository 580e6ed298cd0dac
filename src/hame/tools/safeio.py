"""Opening a file a tool reads, safely: only regular files (a FIFO or a device would block or never end), and at
most MAX_READ_BYTES of it, so a huge file cannot take the memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import ToolError

MAX_READ_BYTES = 16 * 1024 * 1024


def read_regular(path: Path, shown: str, limit: int = MAX_READ_BYTES) -> tuple[bytes, int]:
    """(the first `limit` bytes, the file's size); ToolError for anything but a regular file. Opened without
    blocking, and checked on the open descriptor, so a FIFO swapped in after a check cannot hang the read."""
    refuse_special(path, shown)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))  # OSError: the caller's message
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ToolError(_special(shown))
        return fh.read(limit), st.st_size


def refuse_special(path: Path, shown: str) -> None:
    """ToolError when `path` exists and is not a regular file or a directory (a FIFO, socket or device)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        raise ToolError(_special(shown))


def _special(shown: str) -> str:
    return (f"{shown!r} is not a regular file (a FIFO, socket or device); reading or writing it could block "
            "forever, so file tools refuse it. Leave it alone.")


def read_for_edit(path: Path, rel: str) -> bytes:
    """The whole content of a regular file a tool is about to change; ToolError when it is too big to edit."""
    try:
        data, size = read_regular(path, rel)
    except OSError as exc:
        raise ToolError(f"Cannot read {rel!r}: {exc.strerror}") from None
    if size > len(data):
        raise ToolError(f"{rel} is {size:,} bytes, too big for the file tools (at most {MAX_READ_BYTES:,}); change "
                        "it with run_shell (e.g. sed -i) instead.")
    return data
