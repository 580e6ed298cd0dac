"""Failing checks explain the Python errors they show (`HAME_ERROR_HINTS`): the reports come from real pytest runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hame.agent.autocheck import run_check
from hame.agent.loop import Agent, LoopConfig
from hame.agent.protocol import ToolProtocol
from hame.context.error_hints import explain, with_hints
from hame.context.pytest_report import digest
from hame.providers.scripted import ScriptedModel
from hame.tools import default_tools
from hame.tools.base import ToolContext

CODE = '''\
class Money:
    def __init__(self, amount):
        self.cents = amount

    def __add__(self, other):
        return Money(self.amount + other.amount)

    def __mul__(self, other):
        return Money(self.cents * other.cents)


def first_even(numbers):
    for n in numbers:
        if n % 2 == 0:
            return n


def sign(n):
    if n > 0:
        word = "plus"
    return word


def check(n):
    return n
'''

TESTS = '''\
import unittest

from money import Money, check, first_even, sign


class MoneyTest(unittest.TestCase):
    def test_number_on_the_left(self):
        self.assertEqual((5 + Money(1)).cents, 6)

    def test_number_on_the_right(self):
        self.assertEqual((Money(2) * 3).cents, 6)

    def test_attribute_never_set(self):
        Money(1) + Money(2)

    def test_returns_none(self):
        self.assertEqual(first_even([1, 3, 5, 7]), 8)

    def test_unbound(self):
        self.assertEqual(sign(-1), "minus")

    def test_raises(self):
        with self.assertRaises(ValueError):
            check(-1)
'''


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real pytest run of TESTS against CODE: six tests, six different errors."""
    ws = tmp_path_factory.mktemp("money")
    (ws / "money.py").write_text(CODE)
    (ws / "money_test.py").write_text(TESTS)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "money_test.py"], cwd=ws,
                          capture_output=True, text=True, timeout=120).stdout


def test_each_common_error_gets_its_explanation(output: str) -> None:
    hints = explain(output, limit=10)
    assert len(hints) == 6, hints
    left = next(h for h in hints if "__radd__" in h)
    assert "Money.__radd__(self, other)" in left and "`5 + Money(...)`" in left
    assert any("A plain int reached code that reads `.cents`" in h for h in hints)  # Money(2) * 3
    assert any("A Money has no `amount`" in h and "`self.amount` in `__init__`" in h for h in hints)
    assert "The function returned None: a `return` is missing on some path (after a loop, or in a branch)." in hints
    assert "`word` gets a value only on some paths before it is used: give it one on every path." in hints
    assert any(h.startswith("The tests expect ValueError for this input") for h in hints)


def test_the_hints_follow_the_report_in_its_order_and_at_most_two(output: str) -> None:
    report = digest(output)
    assert report is not None
    hinted = with_hints(report)
    assert hinted.startswith(report)
    lines = [line for line in hinted.splitlines() if line.startswith("Hint: ")]
    assert len(lines) == 2
    # the report's first two errors, in its order (unittest runs a class's tests in alphabetical order)
    assert "A Money has no `amount`" in lines[0] and "Money.__radd__" in lines[1]


def test_a_report_with_nothing_to_explain_is_unchanged() -> None:
    report = "pytest: 1 failed\n\nT.test_x:\nE       AssertionError: 3 != 4"
    assert explain(report) == [] and with_hints(report) == report
    assert explain("AttributeError: 'str' object has no attribute 'foo'") == []  # not the model's own class
    assert explain("AttributeError: 'complex' object has no attribute 'imaginary'") == []  # Python's complex
    assert explain("E       AssertionError: 3 != None") == []  # the test expected None: the code returned 3
    assert explain("E       AssertionError: assert None == 3") != []  # pytest's own assert: the code returned None


def test_the_loop_shows_hints_only_when_switched_on(tmp_path: Path) -> None:
    (tmp_path / "money_test.py").write_text(TESTS)
    command = f"{sys.executable} -m pytest -q -p no:cacheprovider money_test.py::MoneyTest::test_number_on_the_left"
    (tmp_path / "money.py").write_text(CODE)
    plain = run_check(command, ToolContext(workspace=tmp_path))
    hinted = run_check(command, ToolContext(workspace=tmp_path), hints=True)
    assert "Hint:" not in plain.report and "Hint: `5 + Money(...)`" in hinted.report
    assert hinted.report.endswith("Fix the code so that the check passes.")

    script = tmp_path / "script.jsonl"
    turn = {"tool_calls": [{"name": "write_file", "arguments": {"path": "money.py", "content": CODE + "\n"}}]}
    script.write_text(json.dumps(turn) + "\n" + json.dumps({"content": "done"}) + "\n")
    tools = default_tools(())
    agent = Agent(ScriptedModel(str(script)), tools, ToolContext(workspace=tmp_path), lambda _e: None,
                  ToolProtocol("native", tools),
                  LoopConfig(max_steps=3, check_command=command, tactics=("error_hints",)))
    agent.run("make the tests pass")
    requests = [json.loads(line) for line in Path(f"{script}.requests.jsonl").read_text().splitlines()]
    assert "Money.__radd__(self, other)" in json.dumps(requests[1]["messages"])
