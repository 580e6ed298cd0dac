"""`--check` reaches the outcome: the stop reason, the exit code and the JSON carry the check's last result."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import call, make_workspace, write_script

CALC = {"calc.py": "def add(a, b):\n    return a - b\n",
        "test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"}
CHECK = "python -m pytest -q"


def _run(hame, tmp_path: Path, turns: list[dict], *flags: str):
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", turns)
    return hame("-p", "fix it", "--cwd", str(ws), "--model", f"scripted:{script}", *flags)


def test_an_answer_without_changes_while_the_check_fails_exits_4(tmp_path: Path, hame) -> None:
    r = _run(hame, tmp_path, [{"content": "Done."}], "--check", CHECK, "--output-format", "json")
    assert r.returncode == 4, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "check_failed" and out["result"] == "Done."
    assert out["check"]["command"] == CHECK and out["check"]["passed"] is False and out["check"]["exit_code"] == 1
    assert out["error"] == f"the check `{CHECK}` fails"


def test_answering_again_while_the_check_fails_exits_4_and_says_so(tmp_path: Path, hame) -> None:
    bad = call("write_file", path="calc.py", content="def add(a, b):\n    return 0\n")
    r = _run(hame, tmp_path, [{"content": "", "tool_calls": [bad]}, {"content": "Done."}, {"content": "Done!"}],
             "--check", CHECK)
    assert r.returncode == 4
    assert r.stdout.strip() == "Done!"
    assert f"hame: stopped: check_failed (the check `{CHECK}` fails)" in r.stderr


def test_a_passing_check_completes_and_is_reported(tmp_path: Path, hame) -> None:
    good = call("write_file", path="calc.py", content="def add(a, b):\n    return a + b\n")
    r = _run(hame, tmp_path, [{"content": "", "tool_calls": [good]}, {"content": "Fixed."}],
             "--check", CHECK, "--output-format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and out["error"] is None
    assert out["check"]["passed"] is True and out["check"]["exit_code"] == 0


def test_without_check_the_json_says_none_ran(tmp_path: Path, hame) -> None:
    r = _run(hame, tmp_path, [{"content": "Done."}], "--output-format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["check"] is None


def test_json_output_of_a_failed_run_has_the_error(tmp_path: Path, hame) -> None:
    r = _run(hame, tmp_path, [{"content": "", "tool_calls": [call("list_files")]}], "--output-format", "json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "error" and "has no turn 2" in out["error"]


def test_json_output_of_a_run_that_cannot_start_has_the_error(tmp_path: Path, hame) -> None:
    r = hame("-p", "x", "--cwd", str(tmp_path / "missing"), "--model", "scripted:x", "--output-format", "json")
    assert r.returncode == 2
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "error" and "is not a directory" in out["error"]


def test_stream_json_final_event_names_the_session_transcript_and_cost(tmp_path: Path, hame) -> None:
    r = _run(hame, tmp_path, [{"content": "ok"}], "--output-format", "stream-json")
    events = [json.loads(line) for line in r.stdout.splitlines()]
    start, final = events[0], events[-1]
    assert final["type"] == "final" and final["session_id"] == start["session_id"]
    assert Path(final["transcript"]).is_file() and final["cost_usd"] == 0.0
