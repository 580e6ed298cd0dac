"""hame as a `verifiers` (v1) environment: `vf-eval hame-env --env.taskset.path TASKSET ...`.

`HameTaskset` loads any hame task set (`hame.bench.tasks`); a `HameTask`'s setup claims and fills the same
workspace `hame bench` uses, its reward restores the test files and runs the check with the bench's own code.
`HameHarness` runs `hame -p` (the bench's attempts: budgets, `--check`, a retry that sees the check's output)
with its model calls sent to the rollout's interception endpoint, which records every request into the trace.
The agent runs on this machine (its own bubblewrap sandbox), so the runtime must be `subprocess`.
Needs `pip install 'hame[verifiers]'`; nothing else in hame imports this module.
"""

from __future__ import annotations

import asyncio
import base64
import sys
import tempfile
from pathlib import Path
from typing import Any

import verifiers.v1 as vf

from ..bench.prompting import task_prompt
from ..bench.results import AttemptResult
from ..bench.tasks import Task, load_taskset
from ..bench.worker import claim_workspace, prepare_workspace, pytest_counts, release_workspace, run_attempts, run_check
from .episode import Budgets, Endpoint, agent_config, metrics_of

AGENT_ERRORS = (1, 2)  # hame's exit codes for an error and for bad usage; 3 (a budget, a stall) is an outcome


class HameTaskData(vf.TaskData):
    """A hame task, whole: it travels in the trace, so a rollout can be replayed without the task set."""
    instructions: str
    files: dict[str, str]  # UTF-8 text files
    binary_files: dict[str, str] = {}  # the others, base64
    check: str
    check_timeout: float = 120.0
    files_to_edit: list[str] = []
    test_files: list[str] = []

    @classmethod
    def of(cls, task: Task) -> HameTaskData:
        text, binary = {}, {}
        for rel, data in task.files.items():
            try:
                text[rel] = data.decode("utf-8")
            except UnicodeDecodeError:
                binary[rel] = base64.b64encode(data).decode("ascii")
        return cls(id=task.slug, name=task.name, prompt=task_prompt(task), instructions=task.instructions,
                   files=text, binary_files=binary, check=task.check, check_timeout=task.timeout,
                   files_to_edit=list(task.files_to_edit), test_files=list(task.test_files))

    def bench_task(self) -> Task:
        files = {rel: text.encode("utf-8") for rel, text in self.files.items()}
        files |= {rel: base64.b64decode(b64) for rel, b64 in self.binary_files.items()}
        return Task(self.name or self.id or "task", self.instructions, files, self.check, self.check_timeout,
                    tuple(self.files_to_edit), tuple(self.test_files))


class HameState(vf.State):
    """Where this rollout's workspace is (claimed by the task's setup, released by the harness's cleanup)."""
    workspace: str | None = None
    lock: str | None = None


class HameTask(vf.Task[HameTaskData, HameState]):
    async def setup(self, trace: vf.Trace, runtime: vf.Runtime) -> None:
        if runtime.type != "subprocess":
            raise vf.TaskError(f"hame runs its tasks on this machine, in its own sandbox; the {runtime.type!r} "
                               "runtime is not supported: pass --env.agent.runtime.type subprocess")
        task = self.data.bench_task()
        ws, lock = await asyncio.to_thread(claim_workspace, task.slug)
        trace.state.workspace, trace.state.lock = str(ws), str(lock)
        await asyncio.to_thread(prepare_workspace, ws, task)

    @vf.reward(weight=1.0)
    async def passed(self, trace: vf.Trace) -> float:
        """1.0 when the task's check passes with the test files restored (the bench's scoring)."""
        ws = workspace_of(trace)
        with tempfile.TemporaryDirectory(prefix="hame-vf-check-") as tmp:
            outcome = await asyncio.to_thread(run_check, self.data.bench_task(), ws, Path(tmp) / "check.log",
                                              sys.executable)
        counts = pytest_counts(outcome.output)
        # a check that timed out, or is not pytest, gives no counts: those metrics are left out, not None
        trace.record_metrics({k: float(v) for k, v in counts.items() if v is not None})
        trace.info["check"] = {"command": self.data.check, "exit_code": outcome.finished.exit_code,
                               "passed": outcome.passed, **counts}
        return 1.0 if outcome.passed else 0.0


class HameTasksetConfig(vf.TasksetConfig):
    path: str = ""
    """A hame task set: a directory of task directories, one task directory, or a JSONL manifest."""


class HameTaskset(vf.Taskset[HameTask, HameTasksetConfig]):
    def load(self) -> list[HameTask]:
        if not self.config.path:
            raise ValueError("no task set: pass --env.taskset.path DIR_OR_JSONL")
        return [HameTask(HameTaskData.of(t), self.config.task) for t in load_taskset(Path(self.config.path))]


class HameHarnessConfig(vf.HarnessConfig):
    id: str = "hame-env"
    max_steps: int = 40
    """Model calls per attempt (`hame -p --max-steps`)."""
    attempts: int = 2
    """Attempts per rollout; a retry continues the session and sees the failing check's output."""
    attempt_timeout: float = 600.0
    """Wall-clock seconds per attempt; the agent is killed past it (stop reason `timeout`)."""
    context_window: int | None = 16384
    """`hame --context-window`: the interception endpoint reports no window, so give the served one."""
    auto_check: bool = True
    """Run the task's check after every change (`hame --check`), as `hame bench` does."""
    agent_args: list[str] = []
    """More `hame` flags, e.g. ["--temperature", "0"]."""


class HameHarness(vf.Harness[HameHarnessConfig]):
    NEEDS_CONTAINER = False  # hame sandboxes its own shell commands (bubblewrap)

    async def launch(self, ctx: vf.ModelContext, trace: vf.Trace, runtime: vf.Runtime, endpoint: str, secret: str,
                     mcp_urls: dict[str, str], data: vf.TaskData) -> vf.ProgramResult:
        if not isinstance(data, HameTaskData):
            raise vf.HarnessError("the hame harness runs hame tasks: pair it with the hame-env taskset")
        _, prompt = self.resolve_text_prompt(data)
        c = self.config
        budgets = Budgets(c.max_steps, c.attempts, c.attempt_timeout, c.auto_check, tuple(c.agent_args))
        with tempfile.TemporaryDirectory(prefix="hame-vf-") as run_dir:
            cfg = agent_config(Endpoint(ctx.model, endpoint, secret, c.context_window), budgets, Path(run_dir))
            home = Path(run_dir) / "rollout"
            (home / "state").mkdir(parents=True)
            runs = await asyncio.to_thread(run_attempts, data.bench_task(), cfg, workspace_of(trace), home, prompt)
        trace.info["hame"] = summary(runs)
        return program_result(runs)

    async def cleanup(self, trace: vf.Trace, runtime: vf.Runtime) -> None:
        state = trace.state
        if getattr(state, "workspace", None) and getattr(state, "lock", None):
            await asyncio.to_thread(release_workspace, Path(state.workspace), Path(state.lock))
            state.workspace = state.lock = None

    @vf.metric
    async def hame(self, trace: vf.Trace) -> dict[str, float | None]:
        """Steps (model calls), attempts and whether the last attempt completed (stop reason in trace.info)."""
        runs = [AttemptResult.model_validate(r) for r in trace.info.get("hame", {}).get("runs", [])]
        return {k: v for k, v in metrics_of(runs).items() if not k.startswith("tests_")}


def workspace_of(trace: vf.Trace) -> Path:
    ws = getattr(trace.state, "workspace", None)
    if not ws:
        raise vf.TaskError("no hame workspace in this rollout: the task's setup did not run")
    return Path(ws)


def summary(runs: list[AttemptResult]) -> dict[str, Any]:
    last = runs[-1]
    return {"stop_reason": last.stop_reason, "exit_code": last.exit_code, "error": last.error,
            "runs": [r.model_dump() for r in runs]}


def program_result(runs: list[AttemptResult]) -> vf.ProgramResult:
    """An agent error (the model server down, bad flags) fails the rollout; a budget or a stall is an outcome."""
    last = runs[-1]
    code = last.exit_code if last.exit_code in AGENT_ERRORS else 0
    return vf.ProgramResult(exit_code=code or 0, stdout=f"stop reason: {last.stop_reason}", stderr=last.error or "")


__all__ = ["HameTaskset", "HameHarness"]
