"""Sessions survive SIGKILL at any moment: the real CLI is killed at random times mid-run, then resumed."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

from ..conftest import call, make_workspace, write_script
from .support import complete_requests, popen, records, transcript_of

TRIALS = 20
STEPS = 8  # at 0.3 s a step the run outlasts the latest kill (1.8 s), so most kills land mid-run


def _first_script(path: Path) -> Path:
    turns = [{"content": "", "tool_calls": [call("run_shell", command=f"echo {k} >> log.txt; sleep 0.3")]}
             for k in range(1, STEPS + 1)]
    turns.insert(2, {"content": "", "tool_calls": [call("remember", note="log.txt gets one line per step")]})
    return write_script(path, [*turns, {"content": "all steps done"}])


def _trial(tmp: Path, hame, seed: int) -> str:
    """Returns where the kill landed: 'before' the session began, 'mid' run, or 'after' it finished."""
    rng = random.Random(seed)
    state = tmp / "state"
    ws = make_workspace(tmp / "ws", {"README.md": "demo\n"}, git=seed % 2 == 0)
    s1 = _first_script(tmp / "s1.jsonl")
    p = popen(state, "-p", "log the steps", "--cwd", str(ws), "--model", f"scripted:{s1}", "--sandbox", "none")
    time.sleep(rng.uniform(0.2, 1.8))
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    if not (state / "sessions").is_dir() or not list((state / "sessions").glob("*.jsonl")):
        return "before"  # nothing to resume
    path = transcript_of(state)
    before = records(path)
    reqs1 = complete_requests(s1)
    resume = {"content": "", "tool_calls": [call("run_shell", command="echo resumed >> log.txt")]}
    s2 = write_script(tmp / "s2.jsonl", [resume, {"content": "resumed"}])
    r = hame("--resume", "latest", "-p", "carry on", "--cwd", str(ws), "--model", f"scripted:{s2}", "--sandbox", "none",
             "--output-format", "json", env={"HAME_STATE_DIR": str(state)})
    where = f"seed {seed}: {r.stderr[-800:]}"
    assert r.returncode == 0, where
    assert json.loads(r.stdout)["session_id"] == path.stem and "checkpoints are off" not in r.stderr, where
    _check_transcript(path, where)
    reqs2 = complete_requests(s2)
    _check_history(before, reqs1, reqs2, where)
    _check_side_effects(ws, before, where)
    return "after" if before[-1]["type"] == "final" else "mid"


def _check_transcript(path: Path, where: str) -> None:
    raw = path.read_bytes()
    assert raw.endswith(b"\n"), where
    for line in raw.splitlines():
        json.loads(line)  # the torn tail, if any, was repaired


def _check_history(before: list[dict], reqs1: list[dict], reqs2: list[dict], where: str) -> None:
    first = reqs2[0]["messages"]
    if reqs1:
        assert first[: len(reqs1[-1]["messages"])] == reqs1[-1]["messages"], where
    for a, b in zip(reqs2, reqs2[1:], strict=False):
        assert b["messages"][: len(a["messages"])] == a["messages"], where
    tool_msgs = {m["tool_call_id"]: m["content"] for m in first if m["role"] == "tool"}
    for r in before:
        if r["type"] == "tool_result":  # a completed step: its result is in the resumed history, verbatim
            assert tool_msgs.get(r["call_id"]) == r["output"], where
    last = reqs2[-1]["messages"]
    ids = [c["id"] for m in last for c in m.get("tool_calls") or []]
    assert sorted(ids) == sorted(m["tool_call_id"] for m in last if m["role"] == "tool"), where
    if any(r["type"] == "memory" and r["memory"]["notes"] for r in before):
        assert "log.txt gets one line per step" in json.dumps(last), where


def _check_side_effects(ws: Path, before: list[dict], where: str) -> None:
    lines = (ws / "log.txt").read_text().splitlines()
    assert lines[-1] == "resumed" and lines.count("resumed") == 1, where
    steps = lines[:-1]
    assert steps == [str(k) for k in range(1, len(steps) + 1)], where  # each once, in order, nothing replayed
    done = [r for r in before if r["type"] == "tool_result" and r["name"] == "run_shell"]
    started = [r for r in before if r["type"] == "tool_call" and r["name"] == "run_shell"]
    assert len(done) <= len(steps) <= len(started), where


def test_sigkill_at_random_points_then_resume(tmp_path: Path, hame) -> None:
    landed = [_trial(tmp_path / f"t{seed}", hame, seed) for seed in range(TRIALS)]
    assert landed.count("mid") >= TRIALS // 2, landed


def test_a_torn_last_line_is_repaired_and_an_interrupted_call_is_not_rerun(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"README.md": "demo\n"})
    s1 = write_script(tmp_path / "s1.jsonl", [
        {"content": "", "tool_calls": [call("run_shell", command="echo one >> log.txt")]},
        {"content": "", "tool_calls": [call("run_shell", command="echo two >> log.txt")]},
        {"content": "done"}])
    assert hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{s1}", "--sandbox", "none").returncode == 0
    path = transcript_of(tmp_path / "state")
    lines = path.read_bytes().splitlines(keepends=True)
    cut = [i for i, line in enumerate(lines) if b'"type": "tool_result"' in line][1]  # the second step's result
    path.write_bytes(b"".join(lines[:cut]) + lines[cut][: len(lines[cut]) // 2])  # killed mid-write
    s2 = write_script(tmp_path / "s2.jsonl", [{"content": "ok"}])
    r = hame("--resume", "latest", "-p", "go on", "--cwd", str(ws), "--model", f"scripted:{s2}")
    assert r.returncode == 0, r.stderr
    assert all(json.loads(line) for line in path.read_bytes().splitlines())
    history = json.dumps(complete_requests(s2)[0]["messages"])
    assert "interrupted" in history and "it was NOT re-run" in history
    assert (ws / "log.txt").read_text() == "one\ntwo\n"
