"""Failing tests told as one concrete line, from real pytest runs on fixture tests (unittest and pytest style)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hame.context.pytest_report import digest

DATA = Path(__file__).resolve().parent.parent / "data" / "assertions"


def pytest_output(tmp_path: Path, *tests: str) -> str:
    for name in ("shapes.py", *tests):
        shutil.copy(DATA / name, tmp_path / name)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests], cwd=tmp_path,
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}).stdout


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    ws = tmp_path_factory.mktemp("shapes")
    return pytest_output(ws, "shapes_test.py", "messages_test.py"), ws


def told(shapes: tuple[str, Path]) -> dict[str, str]:
    report = digest(shapes[0], max_errors=50, workspace=shapes[1]) or ""
    return dict(line.split(": ", 1) for line in report.splitlines()[1:] if ": " in line and line[0] != " ")


@pytest.mark.parametrize(("test", "line"), [
    ("T.test_list", "rebase(2, [1, 0, 1], 10) returned [1, 0, 1]; the test expects [5]"),
    ("T.test_str", "greet(\"Bo\") returned 'Hello Bo'; the test expects \"Hello, Bo!\""),
    ("T.test_multiline", "lines(1) returned 'a\\nb\\nc'; the test expects \"a\\nb\\nd\""),
    ("T.test_multi_arg", "rebase(2, [1, 1], 10) returned [1, 1]; the test expects [3]"),
    ("T.test_true", "ok(2) returned False; the test expects a true value"),
    ("T.test_in", "greet(\"x\") returned 'Hello x', which is not in [\"Hello, x!\"]"),
    ("T.test_not_raised", "rebase(1, [0], 10) did not raise ValueError"),
    ("T.test_exc", "rebase(3, [1], 10) raised IndexError: list index out of range at shapes.py:7: "
                   "`return digits[10]`"),
    ("test_pytest_style", "rebase(2, [1, 2], 10) returned [2, 1]; the test expects [21]"),
    ("test_pytest_raises", "rebase(2, [1], 10) did not raise ValueError"),
    ("M.test_msg", "rebase(0, [0], 10) raised ValueError('bad base'); the test expects the message "
                   "\"input base must be >= 2\""),
    ("M.test_wrong_type", "rebase(3, [0], 10) raised IndexError: list index out of range at shapes.py:7: "
                          "`return digits[10]`; the test expects ValueError"),
])
def test_each_failure_shape_is_one_concrete_line(shapes: tuple[str, Path], test: str, line: str) -> None:
    assert told(shapes)[test] == line


def test_the_shortest_come_first_within_the_limit_and_the_rest_are_counted(shapes: tuple[str, Path]) -> None:
    report = (digest(shapes[0], workspace=shapes[1]) or "").splitlines()
    assert report[0].startswith("pytest: 12 failed")
    lines = report[1:4]
    assert [len(x) for x in lines] == sorted(len(x) for x in lines)
    assert lines[0] == "T.test_not_raised: rebase(1, [0], 10) did not raise ValueError"
    assert report[-1] == "(9 more failing tests not shown)"


def test_what_cannot_be_read_is_shown_as_pytest_told_it(tmp_path: Path) -> None:
    (tmp_path / "odd_test.py").write_text("def test_loop():\n    for x in [1]:\n        assert x in [2]\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "odd_test.py"],
                         cwd=tmp_path, capture_output=True, text=True).stdout
    report = digest(out, workspace=tmp_path) or ""
    assert "test_loop:" in report and "E           assert 1 in [2]" in report


def test_a_name_is_not_said_to_return(tmp_path: Path) -> None:
    (tmp_path / "name_test.py").write_text("def test_name():\n    x = 1\n    assert x == 2\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "name_test.py"],
                         cwd=tmp_path, capture_output=True, text=True).stdout
    assert (digest(out, workspace=tmp_path) or "").splitlines()[1] == "test_name: x is 1; the test expects 2"
    (tmp_path / "name_test.py").unlink()  # the test file gone: pytest's lines again, nothing raised
    assert "E       assert 1 == 2" in (digest(out, workspace=tmp_path) or "")


def test_without_a_workspace_the_report_is_unchanged(shapes: tuple[str, Path]) -> None:
    report = digest(shapes[0]) or ""
    assert "returned" not in report and "E       AssertionError" in report


def test_a_location_outside_the_workspace_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret_test.py"
    outside.write_text("def test_x():\n    assert leak() == 1\n")
    ws = tmp_path / "ws"
    ws.mkdir()
    out = ("=== FAILURES ===\n___ test_x ___\n\n    def test_x():\n>       assert leak() == 1\n"
           "E       assert 2 == 1\n\n../secret_test.py:2: AssertionError\n=== 1 failed in 0.1s ===\n")
    report = digest(out, workspace=ws) or ""
    assert "returned" not in report and "E       assert 2 == 1" in report


def test_tests_that_raise_the_same_error_at_the_same_place_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "grid.py").write_text("def mark(rows):\n    rows[0][0] = 'x'\n    return rows\n")
    (tmp_path / "grid_test.py").write_text(
        "from grid import mark\n\n\ndef test_one():\n    assert mark(['a']) == ['x']\n\n\n"
        "def test_two():\n    assert mark(['ab', 'c']) == ['xb', 'c']\n\n\n"
        "def test_empty():\n    assert mark([[]]) == [[]]\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "grid_test.py"],
                         cwd=tmp_path, capture_output=True, text=True).stdout
    assert (digest(out, workspace=tmp_path) or "").splitlines() == [
        next(line for line in out.splitlines() if "3 failed" in line).strip("= ").join(["pytest: ", ""]),
        "test_empty: mark([[]]) raised IndexError: list assignment index out of range at grid.py:2: "
        "`rows[0][0] = 'x'`",
        "test_one: mark(['a']) raised TypeError: 'str' object does not support item assignment at grid.py:2: "
        "`rows[0][0] = 'x'` (the same error in 1 more test)"]


def test_expected_first_is_read_the_right_way_round_and_a_test_helper_is_left_to_pytest(tmp_path: Path) -> None:
    (tmp_path / "meter.py").write_text("def count():\n    return 2\n")
    (tmp_path / "meter_test.py").write_text(
        "import unittest\n\nfrom meter import count\n\n\nclass M(unittest.TestCase):\n"
        "    def test_count(self):\n        self.assertEqual(1, count())\n\n"
        "    def test_helper(self):\n        self.same(count(), 3)\n\n"
        "    def same(self, a, b):\n        assert a == b\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "meter_test.py"],
                         cwd=tmp_path, capture_output=True, text=True).stdout
    report = digest(out, workspace=tmp_path) or ""
    assert "M.test_count: count() returned 2; the test expects 1" in report.splitlines()
    assert "M.test_helper:" in report.splitlines() and "E       assert 2 == 3" in report
