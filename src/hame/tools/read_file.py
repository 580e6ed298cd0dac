"""read_file: numbered lines of a text file; says when a file is binary, missing, or longer than shown."""

from __future__ import annotations

import difflib
from pathlib import Path

from pydantic import Field

from ..errors import ToolError
from . import paths
from .base import Args, FileView, Tool, ToolContext
from .safeio import MAX_READ_BYTES, read_regular

MAX_LINE = 2000
DEFAULT_LIMIT = 400


class ReadArgs(Args):
    path: str = Field(description="file path relative to the workspace")
    offset: int = Field(1, ge=1, description="first line to show (1-based)")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=2000, description="how many lines to show")


class ReadFile(Tool):
    name = "read_file"
    description = (f"Read a text file with line numbers, {DEFAULT_LIMIT} lines from `offset` by default. "
                   "Re-reading an unchanged file returns a short note instead of the text.")
    Args = ReadArgs

    def run(self, args: ReadArgs, ctx: ToolContext) -> str:
        path = paths.resolve(ctx.workspace, args.path, extra_readable=ctx.outputs_dir)
        rel = paths.relative(ctx.workspace, path)
        data = read_bytes(path, args.path, ctx.workspace)
        st = path.stat()
        if b"\x00" in data[:8192]:
            return f"{rel} is a binary file ({st.st_size:,} bytes); it cannot be shown as text."
        view = ctx.seen.get(rel)
        span = (args.offset, args.limit)
        if view and view.mtime_ns == st.st_mtime_ns and view.size == st.st_size and span in view.ranges:
            return f"Unchanged since you read it at step {view.step}; use that text."
        if not view or view.mtime_ns != st.st_mtime_ns or view.size != st.st_size:
            view = ctx.seen[rel] = FileView(st.st_mtime_ns, st.st_size, ctx.step)
        view.ranges.add(span)
        text = data.decode("utf-8", errors="replace")
        shown = number_lines(rel, text, args.offset, args.limit, numbered=ctx.number_lines)
        return shown + (cut_note(rel, st.st_size) if st.st_size > len(data) else "")


def read_bytes(path: Path, shown: str, workspace: Path) -> bytes:
    if path.is_dir():
        raise ToolError(f"{shown!r} is a directory; use list_files(path={shown!r})")
    try:
        return read_regular(path, shown)[0]
    except FileNotFoundError:
        raise ToolError(f"No such file: {shown!r}.{suggest(workspace, path)}") from None
    except OSError as exc:
        raise ToolError(f"Cannot read {shown!r}: {exc.strerror}") from None


def cut_note(rel: str, size: int) -> str:
    return (f"\n[{rel} is {size:,} bytes; read_file reads only its first {MAX_READ_BYTES // 2**20} MB. For the rest "
            "use run_shell (e.g. sed -n '1000000,1000100p', grep -n, tail).]")


def suggest(workspace: Path, missing: Path) -> str:
    parent = missing.parent if missing.parent.is_dir() else workspace
    names = [p.name for p in parent.iterdir()] if parent.is_dir() else []
    close = difflib.get_close_matches(missing.name, names, n=3, cutoff=0.5)
    if not close:
        return " Use list_files to see what exists."
    rel = paths.relative(workspace, parent)
    shown = [n if rel == "." else f"{rel}/{n}" for n in close]
    return " Did you mean: " + ", ".join(shown) + "?"


def number_lines(rel: str, text: str, offset: int, limit: int, numbered: bool = True) -> str:
    lines = text.splitlines()
    total = len(lines)
    if total == 0:
        return f"{rel} is empty."
    if offset > total:
        raise ToolError(f"offset {offset} is past the end of {rel} ({total} lines)")
    end = min(total, offset + limit - 1)
    prefix = "{}\t" if numbered else ""
    body = "\n".join(prefix.format(n) + clip_line(lines[n - 1]) for n in range(offset, end + 1))
    if offset == 1 and end == total:
        return body
    more = f"; next: offset={end + 1}" if end < total else ""
    return f"{body}\n[lines {offset}-{end} of {total}{more}]"


def clip_line(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[:MAX_LINE] + f" [... {len(line) - MAX_LINE} chars cut]"
