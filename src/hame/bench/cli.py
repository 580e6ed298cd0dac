"""The `hame bench` and `hame export` subcommands: flags → options → runner / exporter."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..errors import UsageError
from .export import FORMATS


def bench_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hame bench", description="run a task set through the agent and score it")
    p.add_argument("taskset", type=Path, help="a directory of tasks, one task directory, or a JSONL manifest")
    p.add_argument("--model", default=os.environ.get("HAME_MODEL", "local"),
                   help="the agent's --model; {task} and {attempt} are filled in; scripted:DIR reads "
                        "DIR/<task>.jsonl (or DIR/<task>.<attempt>.jsonl)")
    p.add_argument("--workers", type=int, default=1, help="tasks run at once (default 1)")
    p.add_argument("--attempts", type=int, default=2, help="tries per task; a retry sees the check output (default 2)")
    p.add_argument("--max-steps", type=int, default=40, help="the agent's --max-steps per attempt (default 40)")
    p.add_argument("--timeout", type=float, default=600.0, help="wall-clock seconds per attempt (default 600)")
    p.add_argument("--out", type=Path, help="results JSONL (default bench-out/<label>.jsonl)")
    p.add_argument("--resume", action="store_true", help="skip the tasks already in the results file")
    p.add_argument("--overwrite", action="store_true", help="start the results file over")
    p.add_argument("--backend", choices=("local", "ray"), default="local", help="process pool or Ray (default local)")
    p.add_argument("--export-trajectories", type=Path, metavar="DIR", help="write DIR/<task>.jsonl trajectories")
    p.add_argument("--export-format", choices=FORMATS, default="openai", help="trajectory format (default openai)")
    p.add_argument("--label", help="a name for this run (default <taskset>-<model>)")
    p.add_argument("--agent-arg", action="append", default=[], metavar="ARG",
                   help="pass a flag to every agent run, e.g. --agent-arg=--tool-protocol=text (repeatable)")
    p.add_argument("--task", action="append", default=[], dest="only", metavar="NAME",
                   help="run only this task (repeatable)")
    return p


def bench_main(argv: list[str]) -> int:
    from rich.console import Console

    from .runner import BenchOptions, default_label, print_summary, results_path, run_bench

    a = bench_parser().parse_args(argv)
    opts = BenchOptions(taskset=a.taskset, model=a.model, workers=a.workers, attempts=a.attempts,
                        max_steps=a.max_steps, timeout=a.timeout, out=a.out, resume=a.resume, overwrite=a.overwrite,
                        backend=a.backend, export_dir=a.export_trajectories, export_format=a.export_format,
                        label=a.label, agent_args=a.agent_arg, only=a.only)
    records = run_bench(opts)
    label = a.label or default_label(a.taskset, a.model)
    print_summary(records, f"{label}  ({a.model})", Console())
    print(f"results: {results_path(opts)}", file=sys.stderr)
    return 0


def export_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hame export", description="write sessions as training-ready JSONL")
    p.add_argument("sessions", nargs="*", metavar="SESSION",
                   help="session ids, id prefixes, 'latest', or transcript paths (*.jsonl)")
    p.add_argument("--format", choices=FORMATS, default="openai", help="openai (default), sharegpt or hermes")
    p.add_argument("--out", type=Path, help="output file (default: stdout)")
    p.add_argument("--schema", action="store_true", help="print the JSON schema of the format and exit")
    return p


def export_main(argv: list[str]) -> int:
    from .export import export, json_schema

    a = export_parser().parse_args(argv)
    if a.schema:
        print(json.dumps(json_schema(a.format), indent=2))
        return 0
    if not a.sessions:
        raise UsageError("hame export: name at least one session (see `hame sessions`)")
    lines = "".join(line + "\n" for line in export(a.sessions, a.format))
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(lines, encoding="utf-8")
        print(f"wrote {len(a.sessions)} trajectories to {a.out}", file=sys.stderr)
    else:
        sys.stdout.write(lines)
    return 0
