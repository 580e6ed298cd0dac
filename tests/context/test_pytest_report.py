"""A failing pytest run told briefly: counts, each distinct error once (the test's code, its `E` lines, where),
the tests failing the same way named after it; other output is not touched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hame.context.pytest_report import digest, unittest_counts

TESTS = '''import unittest

from search import find


class FindTest(unittest.TestCase):
    def test_finds(self):
        self.assertEqual(find([1, 3, 5], 5), 2)

    def test_missing_small(self):
        with self.assertRaises(ValueError) as err:
            find([1, 3, 5], 0)
        self.assertEqual(err.exception.args[0], "value not in array")

    def test_missing_large(self):
        with self.assertRaises(ValueError) as err:
            find([1, 3, 5], 9)
        self.assertEqual(err.exception.args[0], "value not in array")

    def test_first(self):
        self.assertEqual(find([1, 3, 5], 1), 0)
'''


def pytest_output(tmp_path: Path, solution: str) -> str:
    (tmp_path / "search.py").write_text(solution)
    (tmp_path / "search_test.py").write_text(TESTS)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "search_test.py"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode != 0
    return r.stdout


def test_each_distinct_error_once_with_the_test_code_and_the_same_failures_named(tmp_path: Path) -> None:
    out = pytest_output(tmp_path, "def find(items, value):\n    if value in items:\n        return items.index(value)"
                                  "\n    raise ValueError('value not found')\n")
    short = digest(out)
    assert short is not None and len(short) < len(out) / 2
    assert short.startswith("pytest: 2 failed, 2 passed")
    assert short.count("E       AssertionError: 'value not found' != 'value not in array'") == 1
    assert "find([1, 3, 5], 0)" in short or "find([1, 3, 5], 9)" in short  # the test's own code, up to the `>`
    assert "search_test.py:" in short and "(the same error in 1 more: FindTest.test_missing_" in short
    assert "self = <" not in short


def test_a_collection_error_keeps_the_syntax_error_and_drops_pytest_internals(tmp_path: Path) -> None:
    short = digest(pytest_output(tmp_path, "def find(items, value):\n"))
    assert short is not None and "ERROR collecting search_test.py" in short
    assert "IndentationError: expected an indented block" in short and "importlib" not in short


def test_only_the_first_distinct_errors_are_shown(tmp_path: Path) -> None:
    out = pytest_output(tmp_path, "def find(items, value):\n    return [7, 8][value]\n")
    short = digest(out, max_errors=1)
    assert short is not None and "more different error" in short and short.count("\nE   ") <= 3


def test_output_that_is_not_a_pytest_failure_is_left_alone() -> None:
    assert digest("FAIL: npm test\nError: expected 2 got 3") is None
    assert digest("4 passed in 0.01s") is None


def test_unittest_counts_read_like_pytest_counts(tmp_path: Path) -> None:
    (tmp_path / "search.py").write_text("def find(a, x):\n    return a.index(x)\n")  # 2 of 4 right
    (tmp_path / "search_test.py").write_text(TESTS.replace("    def test_first", "    @unittest.skip('later')\n"
                                                           "    def test_first"))
    r = subprocess.run([sys.executable, "-m", "unittest", "search_test"], cwd=tmp_path, capture_output=True,
                       text=True)
    assert unittest_counts(r.stderr) == "unittest: 2 failed, 1 passed"  # the skipped test neither
    (tmp_path / "search.py").write_text("def find(a, x):\n    return a.index(x) +\n")  # does not import
    r = subprocess.run([sys.executable, "-m", "unittest", "search_test"], cwd=tmp_path, capture_output=True,
                       text=True)
    assert unittest_counts(r.stderr) == "unittest: 0 passed, 1 error"
    assert unittest_counts("Ran 3 tests in 0.001s\n\nOK\n") == "unittest: 3 passed"
    assert unittest_counts("3 passed in 0.01s") == ""
