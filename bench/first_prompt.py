"""Print the size of the first user message a small-model profile sends, per task: Exercism tasks before and after
large test files are attached abridged (context/test_digest.py); repository tasks as the current code sends them.

    python bench/first_prompt.py [--tasks ../shared/bench/exercism-dev.jsonl ...]
    python bench/first_prompt.py --repo ../shared/bench/repo-dev.jsonl

Exercism: each task's files go to a temp directory and its bench prompt (bench/prompting.py) gets the files it
names attached as `_with_mentioned_files` does (tests included, read_file offered, a check run after each change).
Repository (`--repo`): the real agent (profile tiny-local, the scripted model answering once) runs on each task
with its check, so the `localize` tactic acts; run it under another checkout's src to compare. Tokens are hame's
estimate (messages.estimate_tokens). No model is loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from hame.bench.prompting import task_prompt
from hame.bench.tasks import Task, load_taskset
from hame.bench.worker import git_init, write_files
from hame.messages import estimate_tokens

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"


def first_message(task: Task, ws: Path, how: str | None) -> str:
    from hame.context.mentions import Attached, named_files  # here: --repo also runs under older checkouts
    from hame.context.testfiles import TEST_NAME

    prompt = task_prompt(task)
    named = named_files(prompt, ws, how=how)
    targets = [rel for rel, _ in named.files if not TEST_NAME.search(rel)]
    return Attached(prompt, named.files, targets, named.too_large).text


def exercism_row(task: Task) -> tuple[int, int, int]:
    """(largest test file, characters before, characters after) of the task's first user message."""
    from hame.context.test_digest import HOW_READ, HOW_REPORT

    with tempfile.TemporaryDirectory(prefix="hame-fp-") as tmp:
        ws = Path(tmp)
        write_files(ws, task.files)
        before, after = first_message(task, ws, None), first_message(task, ws, f"{HOW_READ} {HOW_REPORT}")
    largest = max((len(task.files[t]) for t in task.test_files if t in task.files), default=0)
    return largest, len(before), len(after)


def exercism(paths: list[Path]) -> None:
    from hame.context.test_digest import ABRIDGE_OVER

    print("| task | test file | before: chars (tokens) | after: chars (tokens) |\n|---|---:|---:|---:|")
    sizes, totals = [], [0, 0]
    for path in paths:
        for task in load_taskset(path):
            largest, before, after = exercism_row(task)
            sizes.append(largest)
            totals[0] += before
            totals[1] += after
            mark = "" if before == after else " *"
            print(f"| {path.stem.removeprefix('exercism-')}/{task.name}{mark} | {largest:,} | "
                  f"{before:,} ({estimate_tokens('x' * before):,}) | {after:,} ({estimate_tokens('x' * after):,}) |")
    over = sum(1 for s in sizes if s > ABRIDGE_OVER)
    quartiles = statistics.quantiles(sizes, n=4)
    print(f"\n{len(sizes)} tasks; * = changed ({over} with a test file over {ABRIDGE_OVER:,} characters). "
          f"Test file characters: median {statistics.median(sizes):,.0f}, upper quartile {quartiles[2]:,.0f}, "
          f"max {max(sizes):,}. First message total: {totals[0]:,} -> {totals[1]:,} characters.")


def repository(path: Path) -> None:
    """The first user message of each repository task, as the agent sends it with this checkout's code."""
    from hame.app import Run, Settings

    print("| task | first user message: chars (tokens) |\n|---|---:|")
    for task in load_taskset(path):
        with tempfile.TemporaryDirectory(prefix="hame-fp-") as tmp:
            ws, script = Path(tmp) / "ws", Path(tmp) / "model.jsonl"
            write_files(ws, task.files)
            git_init(ws)
            script.write_text(json.dumps({"content": "Done."}) + "\n")
            os.environ.update(XDG_STATE_HOME=f"{tmp}/state", XDG_CONFIG_HOME=f"{tmp}/config")
            settings = Settings(ws, model=f"scripted:{script}", profile="tiny-local", check=task.check, max_steps=1,
                                sandbox="none")
            with Run(settings) as run:
                run.run(task_prompt(task))
            request = json.loads(Path(f"{script}.requests.jsonl").read_text().splitlines()[0])
            first = next(m["content"] for m in request["messages"] if m["role"] == "user")
        print(f"| {task.name} | {len(first):,} ({estimate_tokens(first):,}) |", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tasks", type=Path, nargs="*",
                    default=[SHARED / "exercism-dev.jsonl", SHARED / "exercism-val.jsonl"])
    ap.add_argument("--repo", type=Path, help="a repository task set instead (runs each task's check)")
    args = ap.parse_args()
    if args.repo:
        repository(args.repo)
    else:
        exercism(args.tasks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
