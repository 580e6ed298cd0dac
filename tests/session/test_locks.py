"""Two hame processes on one workspace: a live session cannot be resumed or rewound by another process, and
concurrent sessions take turns on the shared checkpoint repository without losing a checkpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from ..conftest import call, make_workspace, write_script
from .support import popen, records, transcript_of


def _wait_for(path_of, what: str, timeout: float = 20) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = path_of()
        if path and what in path.read_text():
            return path
        time.sleep(0.05)
    raise AssertionError(f"{what} never appeared")


def test_a_live_session_cannot_be_resumed_or_rewound_elsewhere(tmp_path: Path, hame) -> None:
    state = tmp_path / "state"
    ws = make_workspace(tmp_path / "ws", {"a.txt": "a\n"})
    s1 = write_script(tmp_path / "s1.jsonl", [
        {"content": "", "tool_calls": [call("run_shell", command="echo b > b.txt; sleep 30")]}, {"content": "x"}])
    p = popen(state, "-p", "wait", "--cwd", str(ws), "--model", f"scripted:{s1}", "--sandbox", "none")
    try:
        sessions = state / "sessions"
        path = _wait_for(lambda: next(sessions.glob("*.jsonl"), None) if sessions.is_dir() else None, '"tool_call"')
        s2 = write_script(tmp_path / "s2.jsonl", [{"content": "ok"}])
        r = hame("--resume", path.stem, "-p", "more", "--cwd", str(ws), "--model", f"scripted:{s2}")
        assert r.returncode == 1 and f"session {path.stem} is in use by another hame process (pid {p.pid})" in r.stderr
        r = hame("rewind", path.stem, "--to", "1", "--yes")
        assert r.returncode == 1 and "in use" in r.stderr and (ws / "b.txt").exists()
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    r = hame("--resume", path.stem, "-p", "more", "--cwd", str(ws), "--model", f"scripted:{s2}")
    assert r.returncode == 0, r.stderr


def test_concurrent_sessions_share_the_checkpoint_repository_safely(tmp_path: Path) -> None:
    state = tmp_path / "state"
    ws = make_workspace(tmp_path / "ws", {"a.txt": "a\n"})
    procs = []
    for name in ("x", "y"):
        turns = [{"content": "", "tool_calls": [call("run_shell", command=f"echo {i} >> {name}.txt")]}
                 for i in range(8)]
        script = write_script(tmp_path / f"{name}.jsonl", [*turns, {"content": "done"}])
        procs.append(popen(state, "-p", name, "--cwd", str(ws), "--model", f"scripted:{script}", "--sandbox", "none"))
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0 and b"checkpoints are off" not in err, err.decode()[-500:]
    shadow = next(d for d in (state / "checkpoints").iterdir() if d.is_dir())
    transcripts = (state / "sessions").glob("*.jsonl")
    commits = [r["commit"] for t in transcripts for r in records(t) if r["type"] == "checkpoint"]
    assert len(commits) == 16
    for commit in commits:
        kind = subprocess.run(["git", f"--git-dir={shadow}", "cat-file", "-t", commit], capture_output=True, text=True)
        assert kind.stdout.strip() == "commit"
    assert transcript_of(state).exists()
