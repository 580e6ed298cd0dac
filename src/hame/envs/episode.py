"""One episode: a hame task run against a model endpoint by the bench's own code (a fresh workspace, `hame -p`
as a subprocess with the task's check and budgets, the check afterwards with the test files restored, a retry
that sees the check's output), returned as a reward and the trajectory the model saw.

The training adapters (`verifiers_env`, `atropos_env`) are thin layers over this: the agent loop is hame's, never
re-implemented, so a trainer sees exactly the requests hame sends.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bench.export import OpenAITrajectory, trajectory
from ..bench.results import AttemptResult, TaskResult
from ..bench.tasks import Task
from ..bench.worker import BenchConfig, latest_transcript, run_task


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible server and the model name it knows."""
    model: str
    base_url: str
    api_key: str = "none"
    context_window: int | None = None  # given explicitly where the server reports none (a proxy)


@dataclass(frozen=True)
class Budgets:
    """What `hame bench` calls its defaults: steps per attempt, attempts, the wall-clock limit per attempt."""
    max_steps: int = 40
    attempts: int = 2
    timeout: float = 600.0
    auto_check: bool = True
    agent_args: tuple[str, ...] = ()


def agent_config(endpoint: Endpoint, budgets: Budgets, run_dir: Path, label: str = "") -> BenchConfig:
    """The bench configuration that points `hame -p` at the endpoint."""
    # FLAG=VALUE: a value may start with "-" (the verifiers interception's secrets do), which argparse would
    # read as a flag
    window = (f"--context-window={endpoint.context_window}",) if endpoint.context_window else ()
    args = (f"--base-url={endpoint.base_url}", f"--api-key={endpoint.api_key}", *window, *budgets.agent_args)
    return BenchConfig(model=f"openai:{endpoint.model}", run_dir=str(run_dir), python=sys.executable,
                       model_name=endpoint.model, label=label, attempts=budgets.attempts,
                       max_steps=budgets.max_steps, timeout=budgets.timeout, agent_args=args,
                       auto_check=budgets.auto_check)


@dataclass(frozen=True)
class Episode:
    result: TaskResult
    trajectory: OpenAITrajectory | None  # None when the agent never started a session
    metrics: dict[str, float | None] = field(default_factory=dict)

    @property
    def reward(self) -> float:
        return 1.0 if self.result.passed else 0.0

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The conversation in OpenAI chat format, as the model last saw it, with the final answer."""
        if self.trajectory is None:
            return []
        return [m.model_dump(exclude_none=True) for m in self.trajectory.messages]


def run_episode(task: Task, endpoint: Endpoint, budgets: Budgets | None = None) -> Episode:
    """Run `task` once; its run directory (transcripts, logs) is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="hame-episode-") as run_dir:
        cfg = agent_config(endpoint, budgets or Budgets(), Path(run_dir))
        result = TaskResult.model_validate(run_task(task, cfg))
        found = session_trajectory(Path(run_dir) / task.slug / "state")
    return Episode(result, found, metrics_of(result.runs))


def session_trajectory(state: Path) -> OpenAITrajectory | None:
    """The latest session under a `HAME_STATE_DIR`, as an OpenAI-format trajectory (its reward from the check)."""
    transcript = latest_transcript(state)
    if transcript is None:
        return None
    found = trajectory(transcript, "openai")
    assert isinstance(found, OpenAITrajectory)
    return found


def metrics_of(runs: list[AttemptResult]) -> dict[str, float | None]:
    """Per-episode numbers a trainer logs beside the reward (the last attempt's test counts; steps summed)."""
    if not runs:
        return {"tests_passed": None, "tests_failed": None, "steps": 0.0, "attempts": 0.0, "completed": 0.0}
    last = runs[-1]
    return {"tests_passed": _num(last.tests_passed), "tests_failed": _num(last.tests_failed),
            "steps": float(sum(r.steps for r in runs)), "attempts": float(len(runs)),
            "completed": 1.0 if last.stop_reason == "completed" else 0.0}


def _num(value: int | None) -> float | None:
    return None if value is None else float(value)
