"""Steering a weak model: repeated calls (in a row or in a cycle) nudge, then stop; new information does not."""

from __future__ import annotations

from hame.agent.protocol import Outcome
from hame.messages import ToolCall
from hame.tactics.steering import Steering


def turn(name: str, output: str, ok: bool = True, **args: object) -> list[tuple[ToolCall, Outcome]]:
    return [(ToolCall("c", name, dict(args)), Outcome(output, ok))]


def test_same_call_in_a_row_nudges_then_stalls() -> None:
    s = Steering(targets=["greet.py"])
    notes = [s.after_turn(turn("run_shell", "[exit code 1]\nFAILED", command="pytest")) for _ in range(5)]
    assert notes[0] == ("", False)
    assert "2 times" in notes[1][0] and "write_file" in notes[1][0] and "greet.py" in notes[1][0]
    assert notes[4] == ("", True)
    whole = Steering(targets=["greet.py"], whole=True)
    note = [whole.after_turn(turn("run_shell", "[exit code 1]", command="pytest")) for _ in range(2)][1][0]
    assert "write_file" not in note and "greet.py: its path, then a fenced code block" in note


def test_a_cycle_of_the_same_two_calls_is_caught() -> None:
    s = Steering()
    out = []
    for _ in range(5):
        out.append(s.after_turn(turn("write_file", "Overwrote src/greet.py (2 lines).", path="src/greet.py")))
        out.append(s.after_turn(turn("run_shell", "[exit code 1]\nFAILED", command="pytest")))
    assert any("times" in note for note, _ in out[:4])
    assert out[-1][1] or out[-2][1]


def test_progress_with_different_results_is_not_a_repeat() -> None:
    s = Steering()
    for i in range(6):
        s.after_turn(turn("write_file", "Overwrote a.py", path="a.py", content=str(i)))
        note, stop = s.after_turn(turn("run_shell", f"[exit code 1]\n{i} failed", command="pytest"))
        assert (note, stop) == ("", False)


def test_final_answer_questioned_once_after_failing_tests_only() -> None:
    s = Steering()
    s.after_turn(turn("run_shell", "[exit code 0]\nok", command="grep x y"))
    assert s.before_finish() is None
    s.after_turn(turn("run_shell", "[exit code 1]\nFAILED", command="python -m pytest -q"))
    assert "python -m pytest -q" in (s.before_finish() or "")
    assert s.before_finish() is None
