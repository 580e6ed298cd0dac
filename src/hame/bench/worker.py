"""One task, start to finish: a fresh temp copy of its files, the agent run as a subprocess under a hard
wall-clock limit, the check run afterwards with the test files restored, and an optional retry that sees the
check's output. `run_task` is a plain top-level function so any backend (a process pool, Ray) can ship it.

Per task, under the bench's run directory:  <task>/state/ (HAME_STATE_DIR: the session transcripts),
<task>/agent-N.json and agent-N.log (the agent's stdout and stderr), <task>/check-N.log, <task>/script-N.jsonl
(the scripted model's turns, copied, with its request log beside it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..session.transcript import Transcript, read_records
from .procs import Finished, run_limited
from .prompting import retry_prompt, task_prompt
from .results import AttemptResult, TaskResult
from .tasks import Task

GIT_ENV = {"GIT_AUTHOR_NAME": "hame-bench", "GIT_AUTHOR_EMAIL": "bench@hame", "GIT_COMMITTER_NAME": "hame-bench",
           "GIT_COMMITTER_EMAIL": "bench@hame", "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z"}


@dataclass(frozen=True)
class BenchConfig:
    model: str  # as passed to the agent: a scripted path is absolute; may hold {task} and {attempt}
    run_dir: str  # absolute
    python: str
    model_name: str = ""  # as the user wrote it, for the results
    label: str = ""
    attempts: int = 2
    max_steps: int = 40
    timeout: float = 600.0
    agent_args: tuple[str, ...] = ()
    auto_check: bool = True  # the agent runs the task's check after each change (--check)


@dataclass(frozen=True)
class CheckOutcome:
    finished: Finished
    output: str

    @property
    def passed(self) -> bool:
        return self.finished.exit_code == 0


def run_task(task: Task, cfg: BenchConfig) -> dict[str, Any]:
    """Run one task; returns its `TaskResult` as a dict."""
    start = time.monotonic()
    home = task_home(task, cfg)
    ws, lock = claim_workspace(task.slug)
    try:
        prepare_workspace(ws, task)
        runs = run_attempts(task, cfg, ws, home)
    finally:
        release_workspace(ws, lock)
    result = TaskResult.of(task.name, runs, time.monotonic() - start, cfg.model_name or cfg.model, cfg.label)
    return result.model_dump()


def task_home(task: Task, cfg: BenchConfig) -> Path:
    """The task's fresh directory under the run directory (transcripts in `state/`, logs beside)."""
    home = Path(cfg.run_dir) / task.slug
    shutil.rmtree(home, ignore_errors=True)
    (home / "state").mkdir(parents=True)
    return home


def prepare_workspace(ws: Path, task: Task) -> None:
    write_files(ws, task.files)
    git_init(ws)


def release_workspace(ws: Path, lock: Path) -> None:
    shutil.rmtree(ws, ignore_errors=True)
    lock.unlink(missing_ok=True)


def run_attempts(task: Task, cfg: BenchConfig, ws: Path, home: Path, prompt: str | None = None
                 ) -> list[AttemptResult]:
    """The agent on a prepared workspace, up to `cfg.attempts` times; a retry sees the failing check's output."""
    prompt = prompt or task_prompt(task)
    runs: list[AttemptResult] = []
    for n in range(1, cfg.attempts + 1):
        run, check = attempt(task, cfg, ws, home, n, prompt)
        runs.append(run)
        if run.passed:
            break
        prompt = retry_prompt(task, check.output)
    return runs


def attempt(task: Task, cfg: BenchConfig, ws: Path, home: Path, n: int, prompt: str
            ) -> tuple[AttemptResult, CheckOutcome]:
    state = home / "state"
    previous = latest_transcript(state)
    skip = len(read_records(previous)) if previous and n > 1 else 0
    cmd = [cfg.python, "-m", "hame", "-p", prompt, "--output-format", "json", "--cwd", str(ws),
           "--model", model_for(cfg.model, task, n, home), "--max-steps", str(cfg.max_steps),
           *(["--check", task.check] if cfg.auto_check else []),
           *(["--continue"] if skip else []), *cfg.agent_args]
    agent = run_limited(cmd, ws, agent_env(cfg, state), cfg.timeout, home / f"agent-{n}.json", home / f"agent-{n}.log")
    summary = last_json(home / f"agent-{n}.json")
    transcript = latest_transcript(state)
    records = read_records(transcript)[skip:] if transcript else []
    check = run_check(task, ws, home / f"check-{n}.log", cfg.python)
    if transcript:
        annotate(transcript, task, n, check)
    run = AttemptResult(attempt=n, stop_reason=stop_reason(agent, summary, records), exit_code=agent.exit_code,
                        **usage_of(records), check_exit=check.finished.exit_code, passed=check.passed,
                        **pytest_counts(check.output),
                        error=_scrub(agent_error(agent, cfg, home / f"agent-{n}.log", check), home, ws),
                        session_id=summary.get("session_id") or (transcript.stem if transcript else None),
                        agent_s=round(agent.seconds, 3), check_s=round(check.finished.seconds, 3))
    return run, check


def claim_workspace(slug: str, root: Path | None = None) -> tuple[Path, Path]:
    """An empty workspace directory named after the task, and the lock file that claims it.

    The path is in the agent's system prompt, and a small model's output changes with such details, so a random
    temp name made even greedy runs differ; `hame-bench-<task>` is the same in every run. Two benches running the
    same task at once get `-2`, `-3`...: a name is claimed by creating `<name>.lock` (holding the claimer's pid)
    exclusively, and a lock whose process is gone (a killed bench) is taken over."""
    root = root or Path(tempfile.gettempdir())
    for n in range(1, 1000):
        ws = root / (f"hame-bench-{slug}" + (f"-{n}" if n > 1 else ""))
        lock = ws.with_name(ws.name + ".lock")
        if _stale(lock):
            lock.unlink(missing_ok=True)
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        shutil.rmtree(ws, ignore_errors=True)
        ws.mkdir()
        return ws, lock
    raise RuntimeError(f"no free bench workspace for {slug} under {root}")


def _stale(lock: Path) -> bool:
    """A lock whose process no longer runs (unreadable or empty: not stale, it may be being written)."""
    try:
        pid = int(lock.read_text())
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        pass
    return False


def write_files(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def git_init(ws: Path) -> None:
    """Make the workspace a git repository with one commit (fixed identity and dates: the same hash each run)."""
    if not shutil.which("git"):
        return
    env = {**os.environ, **GIT_ENV}
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                ["git", "-c", "commit.gpgsign=false", "commit", "-qm", "task", "--no-verify"]):
        subprocess.run(cmd, cwd=ws, env=env, capture_output=True, check=False)


def model_for(spec: str, task: Task, n: int, home: Path) -> str:
    """The agent's --model for attempt n: `{task}` / `{attempt}` filled in; a scripted model read from
    DIR/<task>.<n>.jsonl or DIR/<task>.jsonl and copied into the task's run directory."""
    spec = spec.replace("{task}", task.slug).replace("{attempt}", str(n))
    if not spec.startswith("scripted:"):
        return spec
    path = Path(spec.removeprefix("scripted:"))
    if path.is_dir():
        options = [path / f"{task.slug}.{n}.jsonl", path / f"{task.slug}.jsonl"]
        path = next((p for p in options if p.is_file()), options[-1])
    if not path.is_file():
        return f"scripted:{path}"
    copy = home / f"script-{n}.jsonl"
    shutil.copyfile(path, copy)
    return f"scripted:{copy}"


def agent_env(cfg: BenchConfig, state: Path) -> dict[str, str]:
    env = {**os.environ, "HAME_STATE_DIR": str(state)}
    env.setdefault("HAME_PROMPT_CACHE", "off")  # a task's prompt is the same in every run: no cache from the last
    env["PATH"] = os.path.dirname(cfg.python) + os.pathsep + env.get("PATH", "")
    return env


def latest_transcript(state: Path) -> Path | None:
    found = sorted((state / "sessions").glob("*.jsonl"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def last_json(path: Path) -> dict[str, Any]:
    for line in reversed(path.read_text(encoding="utf-8", errors="replace").splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def run_check(task: Task, ws: Path, log: Path, python: str) -> CheckOutcome:
    for rel in task.test_files:
        write_files(ws, {rel: task.files[rel]})
    env = {**os.environ, "PATH": os.path.dirname(python) + os.pathsep + os.environ.get("PATH", "")}
    env.pop("HAME_STATE_DIR", None)
    finished = run_limited(["/bin/sh", "-c", task.check], ws, env, task.timeout, log)
    output = log.read_text(encoding="utf-8", errors="replace")
    if finished.timed_out:
        output += f"\n[the check was killed after {task.timeout:g}s]\n"
    return CheckOutcome(finished, output)


def annotate(transcript: Path, task: Task, n: int, check: CheckOutcome) -> None:
    """Append the check's verdict to the session transcript, where `hame export` finds the reward."""
    out = Transcript(transcript)
    try:
        out.append({"type": "check", "ts": time.time(), "attempt": n, "command": task.check,
                    "exit_code": check.finished.exit_code, "passed": check.passed, **pytest_counts(check.output)})
    finally:
        out.close()


def usage_of(records: list[dict[str, Any]]) -> dict[str, int]:
    """Steps and tokens: the replies' usage summed, or the final record's total when it says more (a tactic's own
    model calls, fill_in's fills, are in the total only; a run killed before its end has no final record)."""
    turns = [r.get("usage") or {} for r in records if r.get("type") == "assistant"]
    final = next((r.get("usage") or {} for r in reversed(records) if r.get("type") == "final"), {})
    keys = ("input_tokens", "output_tokens", "cached_tokens", "estimated_input_tokens")
    return {"steps": sum(r.get("type") == "model_request" for r in records),
            **{k: max(sum(int(u.get(k) or 0) for u in turns), int(final.get(k) or 0)) for k in keys}}


def stop_reason(agent: Finished, summary: dict[str, Any], records: list[dict[str, Any]]) -> str:
    if agent.timed_out:
        return "timeout"
    finals = [r for r in records if r.get("type") == "final"]
    return str(summary.get("stop_reason") or (finals[-1].get("stop_reason") if finals else "error"))


EXIT_CHECK_FAILED = 4  # the agent answered while its --check failed (ui/headless.py EXIT_CODES)


def agent_error(agent: Finished, cfg: BenchConfig, log: Path, check: CheckOutcome) -> str | None:
    if agent.timed_out:
        return f"the agent ran past the {cfg.timeout:g}s limit and was killed"
    if agent.exit_code not in (0, None, EXIT_CHECK_FAILED):  # a failing check is the task's result, not an error
        lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.startswith("hame:")]
        if not lines:
            return f"the agent exited with code {agent.exit_code}"
        return lines[-1].removeprefix("hame: ").removeprefix("error: ").strip()
    if check.finished.timed_out:
        return "the check ran past its time limit and was killed"
    return None


def _scrub(text: str | None, home: Path, ws: Path) -> str | None:
    """Run-specific paths out of an error message, so two runs of the bench give the same results."""
    if text is None:
        return None
    for path, name in ((home, "<run>"), (ws, "<workspace>"), (Path(os.path.realpath(ws)), "<workspace>")):
        text = text.replace(str(path), name)
    return text


COUNT = re.compile(r"(\d+) (passed|failed|errors?)\b")


def pytest_counts(output: str) -> dict[str, int | None]:
    """Passed / failed test counts from pytest's summary line (None when there is none)."""
    tail = output.strip().splitlines()[-1:] or [""]
    found = {kind.rstrip("s"): int(n) for n, kind in COUNT.findall(tail[0])}
    if not found:
        return {"tests_passed": None, "tests_failed": None}
    return {"tests_passed": found.get("passed", 0), "tests_failed": found.get("failed", 0) + found.get("error", 0)}
