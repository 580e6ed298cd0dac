#!/usr/bin/env python3
"""Run a peer agent (aider, mini-swe-agent) on a task set with the same model hame uses, served by the same embedded
llama.cpp server (`hame serve-model`), and score it exactly as `hame bench` scores hame (bench/peer_bench.py).

    python bench/peers.py aider --model qwen2.5-coder-1.5b --label aider-qwen15 [--workers 2] [--task leap]
    python bench/peers.py mini --model qwen2.5-coder-1.5b --label mini-qwen15 --exe /path/to/venv/bin/mini

Writes bench/results/<date>-<label>.jsonl (the same format as bench/solve_rate.py) and prints the same report.
The peer talks to the server through a metering proxy (src/hame/bench/meter.py), so its row has the same figures
as hame's: model calls (steps), prompt tokens sent and served from the KV cache, output tokens, and the harness's
share of the time (time not spent waiting for the model).
The peer's executable is taken from --exe, else from PATH. Install each peer in its own virtual environment
(`pip install aider-chat`, `pip install mini-swe-agent`): their dependencies conflict with each other.

How each peer is run (the fairest setting each offers for this task format):
- aider: `--edit-format whole` (Aider's benchmark setting for these models), the files to edit added to the chat
  and the test file added read-only (hame shows it too), `--auto-test` with the task's check, so Aider sees the
  failing tests and retries (up to its 3 reflections), temperature 0 (Aider's default for an unknown model).
  On a repository task set (no files named): `--map-tokens 1024` gives Aider its repo map to find the files, which
  it adds itself (`--yes-always`; the map needs git, so Aider then runs in the workspace's repository with
  `--no-auto-commits`); `--edit-format diff` runs its search/replace format instead of whole files.
- mini: `mini -y --exit-immediately` with its text-based config (bash commands in fenced blocks, which a small
  model follows better than native tool calls), the task prompt, at most 25 steps, temperature 0; it runs the
  tests itself through bash.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import peer_bench  # noqa: E402
import solve_rate  # noqa: E402


def aider_command(exe: str, model: str, edit_format: str = "whole", map_tokens: int = 0) -> list[str]:
    # Aider builds its repo map only in a git repository: with a map it uses the workspace's git (no commits)
    git = ["--no-auto-commits", "--no-dirty-commits", "--no-gitignore"] if map_tokens else ["--no-git"]
    return [exe, "--model", f"openai/{model}", "--openai-api-base", "{base_url}", "--openai-api-key", "none",
            "--edit-format", edit_format, "--yes-always", *git, "--no-check-update", "--no-show-model-warnings",
            "--no-analytics", "--no-detect-urls", "--no-pretty", "--no-stream", "--map-tokens", str(map_tokens),
            "--auto-test", "--test-cmd", "{check}", "--read", "{tests}", "--message-file", "{prompt_file}", "{files}"]


def mini_command(exe: str, model: str, edit_format: str = "", map_tokens: int = 0) -> list[str]:
    return [exe, "-y", "--exit-immediately", "-m", f"openai/{model}", "--model-class", "litellm_textbased", "-l", "0",
            "-c", "mini_textbased.yaml",
            "-c", "agent.step_limit=25", "-c", "model.model_kwargs.temperature=0", "-c",
            "model.model_kwargs.api_base={base_url}", "-t", "{prompt}", "-o", "{run}/traj.json"]


PEERS = {"aider": aider_command, "mini": mini_command}


class ModelServer:
    """`hame serve-model` in a subprocess, for the duration of a `with` block."""

    def __init__(self, model: str, parallel: int) -> None:
        self.cmd = [sys.executable, "-m", "hame", "serve-model", "--model", model, "--parallel", str(parallel)]
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> ModelServer:
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("serving "):
                self.base_url = line.split(" at ", 1)[1].split()[0]
                return self
        raise SystemExit(f"hame serve-model exited ({self.proc.wait()}) before it served the model")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # still finishing a peer's runaway generation: the results are saved
                self.proc.kill()
                self.proc.wait()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("peer", choices=sorted(PEERS))
    p.add_argument("--model", default="qwen2.5-coder-1.5b", help="an embedded model (hame serve-model --model)")
    p.add_argument("--base-url", help="use this OpenAI-compatible server instead of starting hame serve-model")
    p.add_argument("--exe", help="the peer's executable (default: the peer's name on PATH)")
    p.add_argument("--label", help="results name (default: PEER-MODEL)")
    p.add_argument("--tasks", type=Path, default=solve_rate.DEFAULT_TASKS)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--timeout", type=int, default=600, help="seconds per task (default 600)")
    p.add_argument("--task", action="append", default=[], help="run only this task (repeatable)")
    p.add_argument("--out-dir", type=Path, default=ROOT / "results")
    p.add_argument("--out", type=Path, help="the results file (default OUT_DIR/<date>-<label>.jsonl); an existing "
                                            "one is resumed: its tasks are not run again")
    p.add_argument("--edit-format", choices=["whole", "diff"], default="whole", help="aider's edit format")
    p.add_argument("--map-tokens", type=int, default=0,
                   help="aider's repo map budget (default 0: the task's files are in the chat; on a repository task "
                        "set, which names no files, give 1024, Aider's default, so it can find them)")
    a = p.parse_args(argv)
    exe = a.exe or a.peer
    label = a.label or f"{a.peer}-{a.model}"
    out = a.out or a.out_dir / f"{datetime.date.today().isoformat()}-{label}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OPENAI_API_KEY", "none")
    os.environ.update(MSWEA_CONFIGURED="true", MSWEA_COST_TRACKING="ignore_errors",  # mini: no wizard, no prices
                      LITELLM_LOCAL_MODEL_COST_MAP="True")  # litellm: no price table download

    def run(base_url: str) -> None:
        args = [str(a.tasks), "--out", str(out), "--timeout", str(a.timeout), "--workers", str(a.workers),
                "--label", label, "--resume", "--base-url", base_url, *[f"--task={t}" for t in a.task], "--",
                *PEERS[a.peer](exe, a.model, a.edit_format, a.map_tokens)]
        peer_bench.main(args)

    if a.base_url:
        run(a.base_url)
    else:
        with ModelServer(a.model, a.workers) as server:
            run(server.base_url)
    solve_rate.report(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
