"""Bench fixtures: the real `hame bench` CLI in a subprocess, and one shared run of the example task set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tasks"
SCRIPTS = ROOT / "examples" / "bench-scripts"
SCRIPTED = f"scripted:{SCRIPTS}"


def hame_env(state: Path) -> dict[str, str]:
    env = {**os.environ, "HAME_STATE_DIR": str(state)}
    for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HAME_MODEL", "RAY_ADDRESS"):
        env.pop(k, None)
    return env


def run_hame(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hame", *args], cwd=cwd, env=hame_env(cwd / "state"),
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`hame bench examples/tasks` with the local backend, 2 workers, trajectories exported; returns its dir."""
    d = tmp_path_factory.mktemp("bench-local")
    r = run_hame("bench", str(EXAMPLES), "--model", SCRIPTED, "--workers", "2", "--out", "results.jsonl",
                 "--export-trajectories", "traj", cwd=d)
    assert r.returncode == 0, r.stderr
    (d / "stdout.txt").write_text(r.stdout)
    (d / "stderr.txt").write_text(r.stderr)
    return d
