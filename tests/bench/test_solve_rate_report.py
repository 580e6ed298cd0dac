"""bench/solve_rate.py prints finished runs: one run's report (shards joined), and runs side by side per task."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def row(task: str, passed: bool, ok: int, bad: int, tokens: int, cached: int, wall: float) -> dict:
    return {"task": task, "passed": passed, "attempts": 1, "tests_passed": ok, "tests_failed": bad, "steps": 2,
            "input_tokens": tokens, "cached_tokens": cached, "output_tokens": 10, "stop_reason": "completed",
            "wall_s": wall, "runs": [{"attempt": 1, "agent_s": wall, "model_s": wall / 2}]}


def solve_rate(*args: str) -> str:
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "solve_rate.py"), *args], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_runs_are_compared_task_by_task_with_shards_joined(tmp_path: Path) -> None:
    a1, a2, b = tmp_path / "a1.jsonl", tmp_path / "a2.jsonl", tmp_path / "b.jsonl"
    a1.write_text(json.dumps(row("leap", True, 9, 0, 1000, 400, 40)) + "\n")
    a2.write_text(json.dumps(row("house", False, 3, 11, 3000, 1000, 480)) + "\n")
    b.write_text(json.dumps(row("leap", False, 5, 4, 500, 0, 100)) + "\n")
    out = solve_rate("--compare", f"hame={a1},{a2}", f"aider={b}")
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    assert lines["leap"] == ["PASS", "fail", "5/9"]
    assert lines["house"] == ["fail", "3/14", "-"]
    totals = {line[:28].strip(): line[28:].split() for line in out.splitlines()}
    assert totals["solved"] == ["1/2", "0/1"]
    assert totals["processed"] == ["2,600", "500"]  # prompt tokens processed: sent minus served from the cache
    assert totals["+ cut off, unknown"] == ["0", "0"]


def test_prompts_of_replies_cut_off_are_shown_apart_from_processed(tmp_path: Path) -> None:
    """A reply cut off while it streamed reports no usage; its estimated prompt is not counted as processed."""
    f = tmp_path / "run.jsonl"
    f.write_text(json.dumps({**row("house", False, 3, 11, 3000, 1000, 480), "estimated_input_tokens": 1500}) + "\n")
    out = solve_rate("--report", str(f))
    assert "3,000 sent, 1,000 served from the KV cache, 500 processed (+ 1,500 sent in replies cut off" in out
    out = solve_rate("--compare", f"hame={f}")
    totals = {line[:28].strip(): line[28:].split() for line in out.splitlines()}
    assert totals["processed"] == ["500"] and totals["+ cut off, unknown"] == ["1,500"]


def test_a_metered_peer_row_gets_a_harness_share(tmp_path: Path) -> None:
    f = tmp_path / "peer.jsonl"
    f.write_text(json.dumps(row("leap", True, 9, 0, 1000, 400, 40)) + "\n")
    out = solve_rate("--report", str(f))
    assert "solved 1/1" in out and "harness share of agent time (not waiting for the model): 50.0%" in out


def test_a_bad_compare_column_is_a_clear_error(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "solve_rate.py"), "--compare", "just-a-file.jsonl"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "NAME=FILE" in r.stderr
