"""Where tasks run: a local process pool (default) or Ray. Both ship the same `run_task` function and hand each
result, as it finishes, to the same callback, so the results file does not depend on the backend."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Literal

from ..errors import UsageError
from .procs import die_with_parent
from .results import harness_failure
from .tasks import Task
from .worker import BenchConfig, run_task

Backend = Literal["local", "ray"]
OnResult = Callable[[dict[str, Any]], None]


def run_all(tasks: list[Task], cfg: BenchConfig, backend: Backend, workers: int, on_result: OnResult) -> None:
    if not tasks:
        return
    if backend == "ray":
        run_ray(tasks, cfg, workers, on_result)
    else:
        run_local(tasks, cfg, workers, on_result)


def run_local(tasks: list[Task], cfg: BenchConfig, workers: int, on_result: OnResult) -> None:
    """Workers die with the bench (Linux), and so do the agents they start."""
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), initializer=die_with_parent) as pool:
        pending = {pool.submit(run_task, t, cfg): t for t in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # the harness failed on this task: record it, go on with the rest
                    result = failure(task, cfg, exc)
                on_result(result)


def failure(task: Task, cfg: BenchConfig, exc: BaseException) -> dict[str, Any]:
    return harness_failure(task.name, exc, cfg.model_name or cfg.model, cfg.label).model_dump()


def run_ray(tasks: list[Task], cfg: BenchConfig, workers: int, on_result: OnResult) -> None:
    try:
        import ray
    except ImportError:
        raise UsageError("--backend ray needs Ray: pip install 'hame[ray]'") from None
    started = not ray.is_initialized()
    if started:
        connect = {} if os.environ.get("RAY_ADDRESS") else {"num_cpus": workers, "include_dashboard": False}
        ray.init(log_to_driver=False, **connect)
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(run_task)
        refs = {remote.remote(t, cfg): t for t in tasks}
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            try:
                result = ray.get(done[0])
            except Exception as exc:  # RayTaskError wraps whatever run_task raised
                result = failure(refs[done[0]], cfg, exc)
            on_result(result)
    finally:
        if started:
            ray.shutdown()
