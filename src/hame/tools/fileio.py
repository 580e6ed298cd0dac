"""Reading a file before changing it and writing it back, shared by the mutating file tools."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ..errors import ToolError
from ..sandbox.protected import refuse_protected
from .base import FileView, ToolContext
from .guards import destructive_write
from .safeio import read_for_edit
from .syntax import new_syntax_errors


def read_text_for_edit(path: Path, rel: str, ctx: ToolContext, *, must_exist: bool) -> str | None:
    """The current text of a file about to be changed, or None when it does not exist (and need not)."""
    if not path.exists():
        if must_exist:
            raise ToolError(f"No such file: {rel!r}. To create it use write_file.")
        return None
    data = read_for_edit(path, rel)
    if b"\x00" in data[:8192]:
        raise ToolError(f"{rel} is a binary file; it cannot be edited as text")
    text = data.decode("utf-8", errors="replace")
    view = ctx.seen.get(rel)
    st = path.stat()
    if view and (view.mtime_ns, view.size) != (st.st_mtime_ns, st.st_size):
        del ctx.seen[rel]
        raise ToolError(f"{rel} changed on disk since you last read it (step {view.step}); read it again with "
                        f"read_file before changing it. Its current start:\n{_head(text)}")
    return text


def check_write(rel: str, old: str | None, new: str, ctx: ToolContext) -> None:
    """Refuse a write a guard refuses; refuse a destructive write once (the identical write repeated right after is
    taken as deliberate)."""
    for guard in ctx.write_guards:
        refusal = guard(rel, old, new, ctx.workspace)
        if refusal:
            raise ToolError(refusal)
    if old is None:
        return
    problem = destructive_write(old, new, ctx.can_edit)
    key = (rel, hashlib.sha1(new.encode()).hexdigest())
    if problem and key not in ctx.confirmed_writes:
        ctx.confirmed_writes.add(key)
        raise ToolError(f"{problem} If you really mean it, send exactly the same call again.")


def after_write(rel: str, old: str | None, new: str) -> str:
    """Feedback on the written text: syntax errors the change introduced."""
    errors = new_syntax_errors(rel, old or "", new)
    if not errors:
        return ""
    listed = "\n".join(f"  {e}" for e in errors)
    return f"\nWarning: the file now has syntax errors that were not there before:\n{listed}\nFix them next."


def write_text(path: Path, text: str, ctx: ToolContext, rel: str) -> None:
    """Write atomically (temp file + rename, keeping the mode) and remember the new state as seen."""
    refuse_protected(ctx.workspace, path, rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".hame-tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    st = path.stat()
    ctx.seen[rel] = FileView(st.st_mtime_ns, st.st_size, ctx.step)
    ctx.changed(rel)


def _head(text: str, n: int = 30) -> str:
    lines = text.splitlines()
    shown = "\n".join(f"{i}\t{line}" for i, line in enumerate(lines[:n], 1))
    return shown + (f"\n[... {len(lines) - n} more lines]" if len(lines) > n else "")
