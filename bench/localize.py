"""Print how well localization finds the code a repo-dev fix changes: per task, the rank of the first true
definition among the candidates and how many candidates the view keeps (`show.likely`), then the top-k hit rates
(k = 1, 3, 5), how often the view keeps a true definition, and the time per task.

    python bench/localize.py [--tasks ../shared/bench/repo-dev.jsonl] [--truth bench/data/repo_dev_truth.json]
                             [--show 5] [--no-check]

Each task is written to a fresh temp git workspace; localization gets what hame would get: the task's text and its
check command (which it runs). The labels in the truth file are used here only, to score.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from hame.bench.worker import git_init, write_files
from hame.context.localize import Candidate, localize
from hame.context.show import likely

HERE = Path(__file__).resolve().parent
KS = (1, 3, 5)


def true_rank(candidates: list[Candidate], truth: list[str]) -> int | None:
    """1-based rank of the best-placed true definition, None when none is a candidate."""
    for i, c in enumerate(candidates, 1):
        if c.span.ref in truth:
            return i
    return None


def run_task(task: dict, truth: list[str], run_check: bool, show: int) -> tuple[int | None, int, float]:
    with tempfile.TemporaryDirectory(prefix="hame-loc-") as tmp:
        ws = Path(tmp)
        write_files(ws, {rel: text.encode() for rel, text in task["files"].items()})
        git_init(ws)
        started = time.monotonic()
        found = localize(ws, task["instructions"], task["check"] if run_check else None)
        elapsed = time.monotonic() - started
    rank, kept = true_rank(found, truth), len(likely(found))
    print(f"{task['name']:20} rank {rank if rank else '-':>4}  kept {kept}  {elapsed:5.1f}s  truth {', '.join(truth)}")
    for i, c in enumerate(found[:show], 1):
        print(f"    {i}. {c.span.ref} {c.score:.2f} ({'; '.join(c.reasons)})")
    return rank, kept, elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=Path, default=HERE.parent.parent / "shared" / "bench" / "repo-dev.jsonl")
    ap.add_argument("--truth", type=Path, default=HERE / "data" / "repo_dev_truth.json")
    ap.add_argument("--show", type=int, default=5, help="candidates to print per task")
    ap.add_argument("--no-check", action="store_true", help="do not run the check (the task's text alone)")
    args = ap.parse_args()
    truth = json.loads(args.truth.read_text())
    tasks = [json.loads(line) for line in args.tasks.read_text().splitlines() if line.strip()]
    results = [run_task(t, truth[t["name"]]["definitions"], not args.no_check, args.show)
               for t in tasks if t["name"] in truth]
    ranks = [r for r, _, _ in results]
    hits = "  ".join(f"top-{k} {sum(1 for r in ranks if r and r <= k)}/{len(ranks)}" for k in KS)
    kept = sum(1 for r, k, _ in results if r and r <= k)
    mean = sum(t for _, _, t in results) / max(1, len(results))
    print(f"{hits}  kept by the view {kept}/{len(ranks)}  mean {mean:.1f}s a task")
    return 0


if __name__ == "__main__":
    sys.exit(main())
