"""The concrete_feedback tactic through the seam: a failing pytest check, as the model gets it, tells the failing
test as "call returned X; the test expects Y"; without the tactic it is pytest's own lines; a restart's note
quotes the same concrete report (end to end, through the real CLI and a FakeOpenAI server)."""

from __future__ import annotations

from pathlib import Path

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply
from .seam import started

CHECK = "python -m pytest -q -p no:cacheprovider test_greet.py"
FILES = {"greet.py": "def greet(name):\n    return 'Hello ' + name\n",
         "test_greet.py": "from greet import greet\n\n\ndef test_greet():\n    assert greet('Bo') == 'Hello, Bo!'\n"}
LINE = "test_greet: greet('Bo') returned 'Hello Bo'; the test expects 'Hello, Bo!'"


def test_a_failing_check_tells_the_failure_as_one_concrete_line(tmp_path: Path) -> None:
    state, _ = started(["concrete_feedback"], make_workspace(tmp_path / "ws", FILES, git=False), CHECK)
    result = state.check()
    assert result is not None and not result.passed
    assert LINE in result.report.splitlines()
    assert "E   " not in result.report


def test_unlisted_the_report_is_pytests_lines(tmp_path: Path) -> None:
    state, _ = started([], make_workspace(tmp_path / "ws", FILES, git=False), CHECK)
    result = state.check()
    assert result is not None and "returned" not in result.report
    assert "E       AssertionError: assert 'Hello Bo' == 'Hello, Bo!'" in result.report


def test_a_restart_note_quotes_the_concrete_failure(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES, git=False)
    wrong = reply("greet.py\n```python\ndef greet(name):\n    return 'Hi ' + name\n```\n")
    right = reply("greet.py\n```python\ndef greet(name):\n    return f'Hello, {name}!'\n```\n")
    proc, srv = run_small_model(hame, tmp_path, ws, [wrong, right], "Fix greet.py so that test_greet.py passes.",
                                "--check", CHECK, profile="tiny-local",
                                env={"HAME_TACTICS": "+concrete_feedback"})
    assert proc.returncode == 0, proc.stderr
    note = srv.requests[1]["messages"][-1]["content"]
    assert "test_greet: greet('Bo') returned 'Hi Bo'; the test expects 'Hello, Bo!'" in note
    assert (ws / "greet.py").read_text().startswith("def greet(name):\n    return f'Hello, {name}!'")
