"""`hame bench` end to end: real task copies, the real agent CLI driven by scripted models, real checks."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hame.bench.export import validate_line
from hame.bench.results import load_normalised

from ..conftest import call, write_script
from .conftest import EXAMPLES, SCRIPTED, hame_env, records, run_hame


def by_task(path: Path) -> dict[str, dict]:
    return {r["task"]: r for r in records(path)}


def test_example_set_outcomes_summary_and_progress(example_run: Path) -> None:
    rs = by_task(example_run / "results.jsonl")
    assert sorted(rs) == ["fizzbuzz", "median-bug", "roman-numerals", "word-count"]
    assert rs["fizzbuzz"]["passed"] and rs["fizzbuzz"]["passed_attempt"] == 1 and rs["fizzbuzz"]["steps"] == 4
    assert rs["roman-numerals"]["tests_passed"] == 9
    wc = rs["word-count"]
    assert wc["passed_attempt"] == 2 and [r["passed"] for r in wc["runs"]] == [False, True]
    assert wc["runs"][0]["tests_failed"] == 1 and len(wc["session_ids"]) == 1  # the retry continues the session
    mb = rs["median-bug"]  # it edits the test; the check restores the test first, so it never passes
    assert not mb["passed"] and mb["attempts"] == 2 and mb["tests_failed"] == 1
    for r in rs.values():
        assert r["input_tokens"] > 0 and r["output_tokens"] > 0 and r["wall_s"] > 0
        assert r["estimated_input_tokens"] == r["input_tokens"]  # no server: the scripted model's are estimates
        assert r["stop_reason"] == "completed" and r["error"] is None and r["model"] == SCRIPTED
    out = (example_run / "stdout.txt").read_text()
    assert "solved" in out and "3  (75.0%)" in out and "tokens per solved task" in out
    assert "✓ fizzbuzz" in (example_run / "stderr.txt").read_text()


def test_retry_prompt_carries_the_failing_check_output(example_run: Path) -> None:
    log = example_run / "results.runs" / "word-count" / "script-2.jsonl.requests.jsonl"
    first = json.loads(log.read_text().splitlines()[0])
    retry = first["messages"][-1]["content"]
    assert retry.startswith("The check `python -m pytest -q` still fails.")
    assert "1 failed, 1 passed" in retry and "test_ignores_case_and_punctuation" in retry
    assert "Fix word_count.py" in retry
    task_msg = next(m for m in first["messages"] if m["role"] == "user")["content"]
    assert task_msg.startswith("# Word count") and "The tests in test_word_count.py are correct" in task_msg


def test_exported_trajectories_validate(example_run: Path) -> None:
    traj = {p.stem: p for p in (example_run / "traj").glob("*.jsonl")}
    assert sorted(traj) == ["fizzbuzz", "median-bug", "roman-numerals", "word-count"]
    wc = validate_line(traj["word-count"].read_text().splitlines()[0], "openai")
    assert wc.reward == 1.0 and wc.passed is True and wc.metadata.checks == 2
    assert wc.usage.input_tokens == by_task(example_run / "results.jsonl")["word-count"]["input_tokens"]
    assert validate_line(traj["median-bug"].read_text(), "openai").reward == 0.0


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install 'hame[ray]')")
def test_ray_backend_gives_the_same_results_as_local(example_run: Path, tmp_path: Path) -> None:
    r = run_hame("bench", str(EXAMPLES), "--model", SCRIPTED, "--backend", "ray", "--workers", "2",
                 "--out", "ray.jsonl", cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    assert load_normalised(tmp_path / "ray.jsonl") == load_normalised(example_run / "results.jsonl")


def test_sigkilled_bench_resumes_without_redoing_finished_tasks(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "hame", "bench", str(EXAMPLES), "--model", SCRIPTED, "--out", "r.jsonl",
           "--task", "fizzbuzz", "--task", "median-bug", "--task", "roman-numerals"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=hame_env(tmp_path / "state"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    results = tmp_path / "r.jsonl"
    deadline = time.monotonic() + 120
    while not (results.is_file() and results.read_text().count("\n") >= 1) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    first = results.read_text().splitlines()
    assert len(first) == 1, "the bench should have been killed mid-run"
    done = json.loads(first[0])["task"]
    requests = tmp_path / "r.runs" / done / "script-1.jsonl.requests.jsonl"
    before = requests.read_text()
    gone = time.monotonic() + 10  # the kernel's parent-death signal, then the agents' exit: soon, if not at once
    while agents_running(tmp_path / "r.runs") and time.monotonic() < gone:
        time.sleep(0.1)
    assert not agents_running(tmp_path / "r.runs"), "agents should die with the bench"

    again = subprocess.run([*cmd, "--resume"], cwd=tmp_path, env=hame_env(tmp_path / "state"),
                           capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    lines = results.read_text().splitlines()
    assert lines[0] == first[0] and sorted(json.loads(x)["task"] for x in lines) == [
        "fizzbuzz", "median-bug", "roman-numerals"]
    assert requests.read_text() == before
    assert len(list((tmp_path / "r.runs" / done / "state" / "sessions").glob("*.jsonl"))) == 1


def agents_running(marker: Path) -> bool:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(marker).encode() in cmdline.read_bytes():
                return True
        except OSError:
            continue
    return False


def test_existing_results_need_resume_or_overwrite(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_text('{"task": "fizzbuzz"}\n')
    r = run_hame("bench", str(EXAMPLES), "--model", SCRIPTED, "--out", "r.jsonl", cwd=tmp_path)
    assert r.returncode == 2 and "--resume" in r.stderr
    r = run_hame("bench", str(EXAMPLES), "--model", SCRIPTED, "--out", "r.jsonl", "--resume", "--task", "fizzbuzz",
                 cwd=tmp_path)
    assert r.returncode == 0 and not (tmp_path / "r.runs").exists()  # nothing left to do


EXERCISES = [
    {"name": "leap", "instructions": "# Leap\n\nSay whether a year is a leap year.\n",
     "files": {"leap.py": "def leap_year(year):\n    pass\n",
               "leap_test.py": "from leap import leap_year\n\n\ndef test_2000():\n    assert leap_year(2000)\n\n\n"
                               "def test_1900():\n    assert not leap_year(1900)\n"},
     "solution_files": ["leap.py"], "test_files": ["leap_test.py"], "pytest_targets": ["leap_test.py"],
     "expected_passed": 2, "source": "test"},
    {"name": "two-fer", "instructions": "# Two-fer\n\n`two_fer(name='you')` returns 'One for NAME, one for me.'\n",
     "files": {"two_fer.py": "def two_fer(name='you'):\n    pass\n",
               "two_fer_test.py": "from two_fer import two_fer\n\n\ndef test_name():\n"
                                  "    assert two_fer('Alice') == 'One for Alice, one for me.'\n"},
     "solution_files": ["two_fer.py"], "test_files": ["two_fer_test.py"], "pytest_targets": ["two_fer_test.py"],
     "expected_passed": 1, "source": "test"},
]
LEAP = "def leap_year(year):\n    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n"


def test_exercism_manifest_restores_test_files_before_scoring(tmp_path: Path) -> None:
    manifest = tmp_path / "set.jsonl"
    manifest.write_text("".join(json.dumps(e) + "\n" for e in EXERCISES))
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    write_script(scripts / "leap.jsonl", [{"content": "", "tool_calls": [call("write_file", path="leap.py",
                                                                              content=LEAP)]},
                                          {"content": "done"}])
    write_script(scripts / "two-fer.jsonl", [  # cheats: empties the test file
        {"content": "", "tool_calls": [call("write_file", path="two_fer_test.py", content="")]},
        {"content": "done"}])
    r = run_hame("bench", str(manifest), "--model", f"scripted:{scripts}", "--attempts", "1", "--out", "r.jsonl",
                 "--agent-arg=--tool-protocol=text", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rs = by_task(tmp_path / "r.jsonl")
    assert rs["leap"]["passed"] and rs["leap"]["tests_passed"] == 2
    assert not rs["two-fer"]["passed"] and rs["two-fer"]["tests_failed"] == 1
    sent = json.loads((tmp_path / "r.runs" / "leap" / "script-1.jsonl.requests.jsonl").read_text().splitlines()[0])
    assert not sent.get("tools") and "- read_file(" in sent["messages"][0]["content"]  # --tool-protocol=text got in
    prompt = sent["messages"][1]["content"]
    assert "Change leap.py so that `python -m pytest -q leap_test.py` passes" in prompt
    assert "The tests in leap_test.py are correct" in prompt


def test_agent_and_check_time_limits(tmp_path: Path) -> None:
    task = tmp_path / "set" / "slow"
    task.mkdir(parents=True)
    (task / "TASK.md").write_text("Wait.\n")
    (task / "task.toml").write_text('check = "sleep 30"\ntimeout = 1\n')
    write_script(tmp_path / "slow.jsonl", [{"content": "", "tool_calls": [call("run_shell", command="sleep 4")]},
                                           {"content": "done"}])
    start = time.monotonic()
    r = run_hame("bench", str(tmp_path / "set"), "--model", f"scripted:{tmp_path / 'slow.jsonl'}",
                 "--attempts", "1", "--timeout", "2", "--out", "r.jsonl", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - start < 15
    (result,) = records(tmp_path / "r.jsonl")
    assert result["stop_reason"] == "timeout" and "2s limit" in result["error"] and not result["passed"]
    assert result["runs"][0]["check_exit"] is None and result["runs"][0]["check_s"] < 5


def test_missing_script_is_reported_per_task(tmp_path: Path) -> None:
    r = run_hame("bench", str(EXAMPLES), "--model", f"scripted:{tmp_path}", "--task", "fizzbuzz", "--attempts", "1",
                 "--out", "r.jsonl", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (result,) = records(tmp_path / "r.jsonl")
    assert result["stop_reason"] == "error" and "fizzbuzz.jsonl" in result["error"]


def test_bad_task_set_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "TASK.md").write_text("x")
    (tmp_path / "t" / "task.toml").write_text('chek = "pytest"\n')
    r = run_hame("bench", str(tmp_path / "t"), "--model", SCRIPTED, cwd=tmp_path)
    assert r.returncode == 2 and "chek" in r.stderr and "Traceback" not in r.stderr
    assert os.path.exists(tmp_path) and run_hame("bench", str(tmp_path / "nope"), cwd=tmp_path).returncode == 2
