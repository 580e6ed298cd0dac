"""`hame bench`: run a task set through the agent and stream one result line per task.

Task set → tasks not yet in the results file (with --resume) → a backend runs `run_task` on each → every
result is appended to the results file as it arrives, shown on the progress bar, and (optionally) its
sessions exported as trajectories. The results file and the run directory beside it (`<out>.runs/`) are all
the state there is."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import HameError, UsageError
from .backends import Backend, run_all
from .export import Format, trajectory
from .results import ResultsFile, Summary, TaskResult, summarise
from .tasks import Task, load_taskset, slugify
from .worker import BenchConfig


@dataclass
class BenchOptions:
    taskset: Path
    model: str
    workers: int = 1
    attempts: int = 2
    max_steps: int = 40
    timeout: float = 600.0
    out: Path | None = None
    resume: bool = False
    overwrite: bool = False
    backend: Backend = "local"
    export_dir: Path | None = None
    export_format: Format = "openai"
    label: str | None = None
    agent_args: list[str] = field(default_factory=list)
    only: list[str] = field(default_factory=list)


def default_label(taskset: Path, model: str) -> str:
    model_part = re.sub(r"[^\w.-]+", "_", model).strip("_")[-48:]
    return f"{taskset.stem}-{model_part}"


def results_path(opts: BenchOptions) -> Path:
    return opts.out or Path("bench-out") / f"{opts.label or default_label(opts.taskset, opts.model)}.jsonl"


def run_bench(opts: BenchOptions, err: Console | None = None) -> list[dict[str, Any]]:
    """Run what is left of the task set; returns every record in the results file."""
    tasks = select(load_taskset(opts.taskset), opts.only)
    out = results_path(opts)
    results = ResultsFile(out)
    if out.is_file() and out.stat().st_size and not (opts.resume or opts.overwrite):
        raise UsageError(f"{out} already has results: pass --resume to continue it, --overwrite to start over, "
                         "or choose another --out")
    results.start(opts.resume)
    done = results.done() if opts.resume else set()
    todo = [t for t in tasks if t.name not in done]
    cfg = config_of(opts, out)
    with BenchProgress(len(tasks), len(tasks) - len(todo), err or Console(stderr=True)) as progress:
        def on_result(record: dict[str, Any]) -> None:
            results.append(TaskResult.model_validate(record))
            progress.advance(record)
            if opts.export_dir:
                try:
                    export_task(record, Path(cfg.run_dir), opts.export_dir, opts.export_format)
                except (HameError, ValueError, OSError) as exc:
                    progress.warn(f"could not export the trajectory of {record['task']}: {exc}")

        run_all(todo, cfg, opts.backend, opts.workers, on_result)
    names = {t.name for t in tasks}
    return [r for r in results.load() if r.get("task") in names]


def select(tasks: list[Task], only: list[str]) -> list[Task]:
    if not only:
        return tasks
    unknown = set(only) - {t.name for t in tasks}
    if unknown:
        raise UsageError(f"no such task: {', '.join(sorted(unknown))}")
    return [t for t in tasks if t.name in only]


def config_of(opts: BenchOptions, out: Path) -> BenchConfig:
    if opts.attempts < 1 or opts.max_steps < 1 or opts.workers < 1 or opts.timeout <= 0:
        raise UsageError("--attempts, --max-steps, --workers and --timeout must be positive")
    model = opts.model
    if model.startswith("scripted:"):
        model = "scripted:" + os.path.abspath(model.removeprefix("scripted:"))
    run_dir = out.resolve().with_suffix(".runs")
    return BenchConfig(model=model, run_dir=str(run_dir), python=sys.executable, model_name=opts.model,
                       label=opts.label or default_label(opts.taskset, opts.model), attempts=opts.attempts,
                       max_steps=opts.max_steps, timeout=opts.timeout, agent_args=tuple(opts.agent_args))


def export_task(record: dict[str, Any], run_dir: Path, export_dir: Path, fmt: Format) -> Path:
    """The task's sessions as trajectories, one line each, in `<export_dir>/<task>.jsonl`."""
    sessions = run_dir / slugify(record["task"]) / "state" / "sessions"
    lines = [trajectory(sessions / f"{sid}.jsonl", fmt).model_dump_json(by_alias=True)
             for sid in record.get("session_ids", []) if (sessions / f"{sid}.jsonl").is_file()]
    export_dir.mkdir(parents=True, exist_ok=True)
    path = export_dir / f"{slugify(record['task'])}.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


class BenchProgress:
    """A progress bar on stderr and one line per finished task. It is redrawn as results arrive, not by a
    refresh thread, so the process pool forks its workers from a single-threaded process."""

    def __init__(self, total: int, done: int, console: Console) -> None:
        self.console = console
        self.solved = 0
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console, transient=False, auto_refresh=False)
        self.id = self.bar.add_task(self._description(), total=total, completed=done)

    def _description(self) -> str:
        return f"bench  solved {self.solved}"

    def advance(self, r: dict[str, Any]) -> None:
        self.solved += bool(r.get("passed"))
        mark = "[green]✓[/]" if r.get("passed") else "[red]✗[/]"
        why = "" if r.get("passed") else f"  {r.get('stop_reason')}" + (f": {r['error']}" if r.get("error") else "")
        self.bar.console.print(f"{mark} {r['task']}  attempts {r['attempts']}  steps {r['steps']}  "
                               f"{r['wall_s']:.1f}s{why}", markup=True, highlight=False)
        self.bar.update(self.id, advance=1, description=self._description())
        self.bar.refresh()

    def warn(self, text: str) -> None:
        self.bar.console.print(f"[yellow]warning:[/] {text}", highlight=False)

    def __enter__(self) -> BenchProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def summary_rows(s: Summary) -> list[tuple[str, str]]:
    def per(n: int) -> str:
        v = s.per_solved(n)
        return "-" if v is None else f"{v:,.0f}"

    each = max(s.tasks, 1)
    cut = ([("in: estimated (no usage reported)", f"{s.estimated_input_tokens:,}")]
           if s.estimated_input_tokens else [])
    return [("tasks", str(s.tasks)), ("solved", f"{s.solved}  ({s.pass_rate:.1%})"),
            ("solved on the first attempt", str(s.solved_first)), ("errors / timeouts", f"{s.errors} / {s.timeouts}"),
            ("steps per task", f"{s.steps / each:.1f}"),
            ("tokens per solved task (in / out)", f"{per(s.input_tokens)} / {per(s.output_tokens)}"),
            ("tokens in all (in / out / cached)", f"{s.input_tokens:,} / {s.output_tokens:,} / {s.cached_tokens:,}"),
            *cut, ("time per task", f"{s.wall_s / each:.1f}s"), ("time, all tasks", f"{s.wall_s:.1f}s")]


def summary_table(s: Summary, title: str) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for name, value in summary_rows(s):
        table.add_row(name, value)
    return table


def print_summary(records: list[dict[str, Any]], title: str, console: Console | None = None) -> None:
    (console or Console()).print(summary_table(summarise(records), title))
