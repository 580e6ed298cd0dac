"""Which files are tests: by name, and the test files beside a code file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

TEST_NAME = re.compile(r"(^|/)(tests?/|test_[^/]*$|[^/]*_test\.\w+$|[^/]*\.(test|spec)\.\w+$)")


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
