"""Score another coding agent on a hame task set exactly as `hame bench` scores hame: the same temp copies,
the same prompt (prompts/bench_task.md), the same check with the test files restored, the same results format.

    python bench/peer_bench.py TASKSET --out peers/mini.jsonl [--timeout 600] [--workers 1] [--resume] -- CMD...

CMD runs in the task's workspace; in its arguments `{prompt}` is the prompt text, `{prompt_file}` a file holding
it, `{workspace}` the workspace, `{run}` the task's run directory (for logs, trajectories), `{check}` the task's
check command, `{base_url}` the model server's OpenAI base URL (--base-url), and an argument that is exactly
`{files}` (or `{tests}`) becomes the files to edit (the test files). One attempt: a peer's own retry loop
(aider --auto-test) counts as part of it. With --base-url each task's agent talks to the server through a
metering proxy (hame/bench/meter.py, also set as OPENAI_API_BASE / OPENAI_BASE_URL), which counts its model calls
(steps), prompt tokens sent and served from cache, output tokens and the time spent waiting for the model;
without it those are not known (0). See bench/compare_peers.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hame.bench.meter import Meter, Metered
from hame.bench.procs import run_limited
from hame.bench.prompting import task_prompt
from hame.bench.results import AttemptResult, ResultsFile, TaskResult
from hame.bench.runner import print_summary
from hame.bench.tasks import Task, load_taskset
from hame.bench.worker import git_init, pytest_counts, run_check, write_files


def expand(command: list[str], prompt: str, prompt_file: Path, ws: Path, run: Path, task: Task,
           base_url: str = "") -> list[str]:
    out: list[str] = []
    for arg in command:
        if arg in ("{files}", "{tests}"):
            out.extend(task.files_to_edit if arg == "{files}" else task.test_files)
            continue
        out.append(arg.replace("{prompt_file}", str(prompt_file)).replace("{workspace}", str(ws))
                   .replace("{run}", str(run)).replace("{check}", task.check).replace("{base_url}", base_url)
                   .replace("{prompt}", prompt))
    return out


def run_peer(task: Task, command: list[str], timeout: float, run_dir: Path, label: str,
             base_url: str = "") -> TaskResult:
    start = time.monotonic()
    home = run_dir / task.slug
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    ws = Path(tempfile.mkdtemp(prefix="hame-peer-"))
    try:
        write_files(ws, task.files)
        git_init(ws)
        prompt = task_prompt(task)
        (home / "prompt.md").write_text(prompt, encoding="utf-8")
        env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
        with Meter(base_url) if base_url else contextlib.nullcontext() as meter:
            url = meter.url if meter else ""
            if url:
                env.update(OPENAI_API_BASE=url, OPENAI_BASE_URL=url)
            cmd = expand(command, prompt, home / "prompt.md", ws, home, task, url)
            agent = run_limited(cmd, ws, env, timeout, home / "agent.log")
        check = run_check(task, ws, home / "check.log", sys.executable)
    finally:
        shutil.rmtree(ws, ignore_errors=True)
    reason = "timeout" if agent.timed_out else "completed" if agent.exit_code == 0 else "error"
    used = meter.totals if meter else Metered()
    run = AttemptResult(attempt=1, stop_reason=reason, exit_code=agent.exit_code, steps=used.requests,
                        input_tokens=used.input_tokens, output_tokens=used.output_tokens,
                        cached_tokens=used.cached_tokens, model_s=round(used.model_s, 3) if meter else None,
                        check_exit=check.finished.exit_code, passed=check.passed, **pytest_counts(check.output),
                        agent_s=round(agent.seconds, 3), check_s=round(check.finished.seconds, 3))
    return TaskResult.of(task.name, [run], time.monotonic() - start, " ".join(command[:1]), label)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("taskset", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--label", default="")
    p.add_argument("--base-url", default="", help="the model server's OpenAI base URL: metered, and given as "
                   "{base_url} and OPENAI_API_BASE")
    p.add_argument("--task", action="append", default=[], help="run only this task (repeatable)")
    argv = sys.argv[1:] if argv is None else argv
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        p.error("give the agent's command after --")
    cut = argv.index("--")
    a, command = p.parse_args(argv[:cut]), argv[cut + 1:]
    results = ResultsFile(a.out)
    results.start(a.resume)
    done = results.done() if a.resume else set()
    tasks = [t for t in load_taskset(a.taskset) if t.name not in done and (not a.task or t.name in a.task)]
    run_dir = a.out.resolve().with_suffix(".runs")
    label = a.label or a.out.stem
    with ThreadPoolExecutor(a.workers) as pool:
        for result in pool.map(lambda t: run_peer(t, command, a.timeout, run_dir, label, a.base_url), tasks):
            results.append(result)
            print(f"{'✓' if result.passed else '✗'} {result.task}  {result.wall_s:.1f}s", file=sys.stderr)
    print_summary(results.load(), f"{label}  ({' '.join(command[:1])})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
