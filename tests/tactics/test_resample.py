"""Aids for a small model's habit of repeating itself: a reply that only repeats a call that already failed is
dropped and sampled again at a higher temperature, and (whole-file protocol) an unlabelled code block is taken
as the task's one file to change."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply

GREET = {"greet.py": "def greet(name):\n    return 'Hello ' + name\n",
         "test_greet.py": "from greet import greet\n\n\ndef test_greet():\n    assert greet('Bo') == 'Hello, Bo!'\n"}
CHECK = "python -m pytest -q test_greet.py"
FIXED = "def greet(name):\n    return f'Hello, {name}!'\n"
PROMPT = "Fix greet.py so the tests in test_greet.py pass."


def call(path: str, content: str) -> dict:
    return reply(json.dumps({"name": "write_file", "arguments": {"path": path, "content": content}}))


def test_a_repeated_failed_call_is_dropped_and_sampled_again_hotter(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    wrong = call("test_greet.py", "def test_greet():\n    pass\n")  # refused: a test file
    replies = [wrong, wrong, wrong, call("greet.py", FIXED)]
    r, srv = run_small_model(hame, tmp_path, ws, replies, PROMPT, "--check", CHECK)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and (ws / "greet.py").read_text() == FIXED
    assert (ws / "test_greet.py").read_text() == GREET["test_greet.py"]
    sent = [req["messages"] for req in srv.requests]
    assert sent[1] == sent[2] == sent[3], "the repeats were dropped: the history (and its KV cache) did not grow"
    assert sum("test_greet.py is a test file" in json.dumps(m) for m in sent[3]) == 1
    assert [req["temperature"] for req in srv.requests[:4]] == [0.2, 0.2, 0.5, 0.8]
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]
    notes = [rec["text"] for rec in records if rec["type"] == "notice" and "repeats a call" in rec["text"]]
    assert len(notes) == 2 and "temperature 0.8" in notes[-1]


def test_resampling_gives_up_after_three_in_a_row(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    wrong = call("test_greet.py", "x = 1\n")
    replies = [wrong] * 5 + [call("greet.py", FIXED)]
    r, srv = run_small_model(hame, tmp_path, ws, replies, PROMPT, "--check", CHECK)
    assert r.returncode == 0, r.stderr
    sent = [req["messages"] for req in srv.requests]
    assert sent[1] == sent[2] == sent[3] == sent[4] and len(sent[5]) == len(sent[4]) + 2  # the 5th repeat ran
    assert "made this exact call 2 times" in sent[5][-1]["content"]  # and steering nudged


def test_whole_protocol_takes_an_unlabelled_block_as_the_tasks_one_file(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    replies = [reply(f"Here is the fix:\n```python\n{FIXED}```\n")]
    r, srv = run_small_model(hame, tmp_path, ws, replies, PROMPT, "--check", CHECK, "--tool-protocol", "whole")
    assert r.returncode == 0, r.stderr
    assert (ws / "greet.py").read_text() == FIXED and json.loads(r.stdout)["stop_reason"] == "completed"
    assert len(srv.requests) == 1  # the check passed: the run ends without another model call
    system = srv.requests[0]["messages"][0]["content"]
    assert "with write_file" not in system and "file to change as its path on one line" in system
