"""Reading a file before changing it and writing it back, shared by the mutating file tools."""

from __future__ import annotations

import ast
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import ToolError
from ..permissions.protected import refuse_protected
from .base import FileView, ToolContext
from .fileblocks import open_block
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
    """Refuse a destructive write once; the identical write repeated right after is taken as deliberate."""
    if ctx.protect_tests:
        refusal = (test_file_write(rel, ctx.workspace) if old is not None else None) or \
            copied_tests(rel, new, ctx.workspace)
        if refusal:
            raise ToolError(refusal)
    if old is None:
        return
    problem = destructive_write(old, new)
    key = (rel, hashlib.sha1(new.encode()).hexdigest())
    if problem and key not in ctx.confirmed_writes:
        ctx.confirmed_writes.add(key)
        raise ToolError(f"{problem} If you really mean it, send exactly the same call again.")


TEST_NAME = re.compile(r"(^|/)(tests?/|test_[^/]*$|[^/]*_test\.\w+$|[^/]*\.(test|spec)\.\w+$)")


def test_file_write(rel: str, workspace: Path) -> str | None:
    """Small models "fix" failing tests by rewriting them: with `protect_tests`, existing tests never change."""
    if not TEST_NAME.search(rel):
        return None
    name = Path(rel).name
    stem = re.sub(r"^test_|_test(?=\.)|\.(test|spec)(?=\.)", "", name)
    code = Path(rel).with_name(stem)
    if stem != name and (workspace / code).is_file():
        return (f"Refused: {rel} is a test file and must not change; the tests define what is correct. "
                f"Put the fix in {code.as_posix()} instead: call write_file with path \"{code.as_posix()}\".")
    return f"Refused: {rel} is a test file and must not change; fix the code under test instead."


COPIED_LINES = 5  # at least this many lines of a test file, and
COPIED_SHARE = 0.5  # at least this share of the new content's lines: a copy of the tests, not code
WATCH_LINES = 8  # a streaming reply is cut once this many of its lines (and the share above) are test lines
DATA_TAIL = ",;+\\ "  # what may follow a literal on its line
LONG_LINE = 12  # shorter lines (`else:`, `return x`) say nothing about where they came from


def copied_tests(rel: str, new: str, workspace: Path) -> str | None:
    """Small models asked to make tests pass sometimes write the test file itself into the code file (the 1.5B did
    in 4 of hangman's 6 tries): with `protect_tests`, a write to a code file that is mostly lines of a test file
    beside it (or in tests/) is refused, naming what to write instead."""
    lines = _long_lines(new)
    if TEST_NAME.search(rel) or len(lines) < COPIED_LINES:
        return None
    for test_rel, known in test_lines_near(rel, workspace):
        copied = sum(line in known for line in lines)
        if copied >= COPIED_LINES and copied >= COPIED_SHARE * len(lines):
            return (f"Refused: {copied} of the {len(lines)} lines you wrote to {rel} are copied from the test file "
                    f"{test_rel}. The tests stay where they are; {rel} must hold the code they test: the functions "
                    f"and classes that {test_rel} imports, implemented. Write that code to {rel}.")
    return None


def copy_watch(targets: list[str], workspace: Path) -> Callable[[str], bool] | None:
    """For a streaming reply: True once it is mostly writing lines of the test files beside `targets` (the code
    files to change) — the write will be refused (`copied_tests`), so the rest of the reply (the 1.5B spent 150 s
    on one copy of hangman's tests) need not be waited for. JSON escapes are undone first, so a constrained
    write_file call is read like a fenced block. A reply that wrote a whole file and then began a second block
    (the 1.5B's house: its verses, then `house_test.py` and the tests) is judged by the block it is writing, and
    cut as soon as that block is labelled with a test file. None when there are no such tests."""
    known = {line for rel in targets if not TEST_NAME.search(rel) for _, lines in test_lines_near(rel, workspace)
             for line in lines if len(line) >= LONG_LINE}
    if not known:
        return None

    def copying(text: str) -> bool:
        block = open_block(text)
        if block and TEST_NAME.search(block.path):
            return True
        text = block.content if block else text
        lines = _long_lines(text.replace("\\n", "\n").replace('\\"', '"').replace("\\t", "\t"))
        copied = sum(line in known for line in lines)
        return copied >= WATCH_LINES and copied >= COPIED_SHARE * len(lines)

    return copying


def test_lines_near(rel: str, workspace: Path) -> Iterator[tuple[str, set[str]]]:
    """The test files beside `rel` (or in tests/), each with its stripped lines."""
    for test_rel, text in test_sources_near(rel, workspace):
        yield test_rel, {line.strip() for line in text.splitlines()}


def test_sources_near(rel: str, workspace: Path) -> Iterator[tuple[str, str]]:
    """The test files beside `rel` (or in tests/), each with its text."""
    folder = (workspace / rel).parent
    for test in sorted({*folder.glob("*.*"), *(workspace / "tests").glob("*.*")})[:200]:
        test_rel = test.relative_to(workspace).as_posix() if test.is_relative_to(workspace) else ""
        if test_rel and TEST_NAME.search(test_rel) and test.is_file() and test.stat().st_size <= 500_000:
            yield test_rel, test.read_text(encoding="utf-8", errors="replace")


def _long_lines(text: str) -> list[str]:
    """The lines that can tell a copy of the tests from code: long enough, and not plain data — a solution holds
    the same verses or tables of values that the tests expect (house, twelve-days), a copy holds their code."""
    return [s for s in (line.strip() for line in text.splitlines()) if len(s) >= LONG_LINE and not _is_data(s)]


def _is_data(line: str) -> bool:
    """True for a line that is only a literal (`"This is the house that Jack built.",`, `(1, 2, 3),`)."""
    try:
        ast.literal_eval("[" + line.rstrip(DATA_TAIL) + "]")
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


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
