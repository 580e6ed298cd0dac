"""bench/peers.py gives a peer agent the task's files, prompt, check and tests, scores it with the test files
restored, and reports it in the same table as hame's runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..fakes.openai_server import FakeOpenAI, reply
from .conftest import ROOT

LEAP = {"name": "leap", "instructions": "Write leap_year(year).", "files": {
    "leap.py": "def leap_year(year):\n    pass\n",
    "leap_test.py": "from leap import leap_year\n\n\ndef test_2000():\n    assert leap_year(2000)\n\n\n"
                    "def test_1900():\n    assert not leap_year(1900)\n"},
    "solution_files": ["leap.py"], "test_files": ["leap_test.py"], "pytest_targets": ["leap_test.py"],
    "expected_passed": 2}
RIGHT = ("leap.py\n```python\ndef leap_year(year):\n"
         "    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n```\n")


def test_a_peer_is_run_with_the_task_and_scored_like_hame(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    wrong = {**LEAP, "name": "leap-wrong"}
    tasks.write_text(json.dumps(LEAP) + "\n" + json.dumps(wrong) + "\n")
    log = tmp_path / "aider-args.jsonl"
    fake = tmp_path / "aider"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'tests' / 'fakes' / 'fake_aider.py'} \"$@\"\n")
    fake.chmod(0o755)
    wrong_reply = "leap.py\n```python\ndef leap_year(year):\n    return year % 4 == 0\n```\n"
    with FakeOpenAI([reply(RIGHT), reply(wrong_reply)]) as srv:
        r = subprocess.run([sys.executable, str(ROOT / "bench" / "peers.py"), "aider", "--exe", str(fake),
                            "--base-url", srv.url, "--tasks", str(tasks), "--label", "fake", "--out-dir",
                            str(tmp_path / "out"), "--timeout", "60"],
                           capture_output=True, text=True, timeout=180, env={**__import__("os").environ,
                                                                              "FAKE_AIDER_LOG": str(log)})
    assert r.returncode == 0, r.stderr
    assert "solved 1/2 (50.0 %)" in r.stdout
    rows = {row["task"]: row for row in map(json.loads, next((tmp_path / "out").glob("*-fake.jsonl")).open())}
    assert rows["leap"]["passed"] and not rows["leap-wrong"]["passed"]
    args = json.loads(log.read_text().splitlines()[0])
    assert args[args.index("--test-cmd") + 1] == "python -m pytest -q leap_test.py"
    assert args[args.index("--read") + 1] == "leap_test.py" and args[-1] == "leap.py"
    assert args[args.index("--edit-format") + 1] == "whole" and args[args.index("--map-tokens") + 1] == "0"
    prompt = srv.requests[0]["messages"][0]["content"]
    assert "Write leap_year(year)." in prompt and "def leap_year(year):\n    pass" in prompt


def test_a_peers_model_calls_are_metered_into_its_row(tmp_path: Path) -> None:
    """The peer talks to the server through the meter: its row counts its calls, the tokens the server reports
    (cached ones from llama.cpp's `timings.cache_n` too) and its time waiting for the model."""
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps(LEAP) + "\n")
    fake = tmp_path / "aider"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'tests' / 'fakes' / 'fake_aider.py'} \"$@\"\n")
    fake.chmod(0o755)
    usage = {"prompt_tokens": 812, "completion_tokens": 57, "total_tokens": 869}
    with FakeOpenAI([reply(RIGHT, usage=usage)]) as srv:
        r = subprocess.run([sys.executable, str(ROOT / "bench" / "peers.py"), "aider", "--exe", str(fake),
                            "--base-url", srv.url, "--tasks", str(tasks), "--label", "metered", "--out-dir",
                            str(tmp_path / "out"), "--timeout", "60", "--edit-format", "diff", "--map-tokens", "1024"],
                           capture_output=True, text=True, timeout=180, env={**__import__("os").environ,
                                                                              "FAKE_AIDER_LOG": str(tmp_path / "a")})
    assert r.returncode == 0, r.stderr
    row = json.loads(next((tmp_path / "out").glob("*-metered.jsonl")).read_text())
    assert (row["steps"], row["input_tokens"], row["output_tokens"]) == (1, 812, 57)
    assert 0 < row["runs"][0]["model_s"] < row["runs"][0]["agent_s"]
    args = json.loads((tmp_path / "a").read_text().splitlines()[0])
    assert args[args.index("--openai-api-base") + 1] != srv.url  # the meter's address, not the server's
    assert args[args.index("--edit-format") + 1] == "diff" and args[args.index("--map-tokens") + 1] == "1024"
    assert len(srv.requests) == 1
    assert "812" in r.stdout and "57" in r.stdout


def test_a_results_file_given_with_out_is_resumed(tmp_path: Path) -> None:
    """`--out FILE` across sittings: the tasks the file holds are not run again, the others are added to it."""
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps(LEAP) + "\n" + json.dumps({**LEAP, "name": "leap-2"}) + "\n")
    fake = tmp_path / "aider"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'tests' / 'fakes' / 'fake_aider.py'} \"$@\"\n")
    fake.chmod(0o755)
    out = tmp_path / "val-aider.jsonl"
    env = {**__import__("os").environ, "FAKE_AIDER_LOG": str(tmp_path / "a")}
    for tries, expected in ((["--task", "leap"], 1), ([], 2)):
        with FakeOpenAI([reply(RIGHT)]) as srv:
            r = subprocess.run([sys.executable, str(ROOT / "bench" / "peers.py"), "aider", "--exe", str(fake),
                                "--base-url", srv.url, "--tasks", str(tasks), "--out", str(out), "--timeout", "60",
                                *tries], capture_output=True, text=True, timeout=180, env=env)
        assert r.returncode == 0, r.stderr
        assert len(srv.requests) == 1  # only the task the file did not hold yet
        assert [json.loads(line)["task"] for line in out.read_text().splitlines()][-expected:] == \
            ["leap", "leap-2"][:expected]
