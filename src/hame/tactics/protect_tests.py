"""Test protection: an existing test file never changes, and a write to a code file that is mostly a copy of the
tests beside it is refused, naming what to write instead (both as a write guard of the file tools). `copy_watch`
spots such a copy while the reply still streams (tactics/watches.py cuts it)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

from ..context.testfiles import TEST_NAME, test_lines_near
from ..tools.fileblocks import open_block
from .base import Tactic


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
    """Small models asked to make tests pass sometimes write the test file itself into the code file (evidence:
    docs/tactics.md, protect_tests): with `protect_tests`, a write to a code file that is mostly lines of a test file
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
    files to change) — the write will be refused (`copied_tests`), so the rest of the reply (minutes, on a CPU)
    need not be waited for. JSON escapes are undone first, so a constrained
    write_file call is read like a fenced block. A reply that wrote a whole file and then began a second block
    (a file of verses, then a block labelled with the test file) is judged by the block it is writing, and
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


def _long_lines(text: str) -> list[str]:
    """The lines that can tell a copy of the tests from code: long enough, and not plain data — a solution holds
    the same verses or tables of values that the tests expect (a song's lines), a copy holds their code."""
    return [s for s in (line.strip() for line in text.splitlines()) if len(s) >= LONG_LINE and not _is_data(s)]


def _is_data(line: str) -> bool:
    """True for a line that is only a literal (`"This is the cat that ate the rat.",`, `(1, 2, 3),`)."""
    try:
        ast.literal_eval("[" + line.rstrip(DATA_TAIL) + "]")
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def guard(rel: str, old: str | None, new: str, workspace: Path) -> str | None:
    """The refusal of a write that changes an existing test, or copies the tests into a code file."""
    return (test_file_write(rel, workspace) if old is not None else None) or copied_tests(rel, new, workspace)


class ProtectTests(Tactic):
    name = "protect_tests"

    def start(self) -> None:
        if guard not in self.state.ctx.write_guards:
            self.state.ctx.write_guards.append(guard)
