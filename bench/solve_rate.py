#!/usr/bin/env python3
"""Solve rate of a model through hame on a task set, with the figures issue 13 asks for.

    python bench/solve_rate.py --label qwen15 --model local:qwen2.5-coder-1.5b [--tasks TASKS.jsonl]
    python bench/solve_rate.py --report bench/results/2026-11-26-qwen15.jsonl     # print the report of a finished run
    python bench/solve_rate.py --report A.jsonl B.jsonl     # one table for a run split in shards (--task lists)
    python bench/solve_rate.py --compare hame=A.jsonl,B.jsonl aider=C.jsonl     # harnesses side by side, per task
    python bench/solve_rate.py --compare vf=outputs/RUN/traces.jsonl bench=A.jsonl  # vf-eval hame-env beside the bench

Runs `hame bench` with fixed settings (by default 2 attempts, 20 steps and 8 minutes per attempt, the profile's
temperature),
writes `bench/results/<date>-<label>.jsonl`, and prints: solved / total, each task's outcome and stop reason,
prompt tokens processed vs served from the KV cache, output tokens, wall time per task, and the harness's share
of wall time (the time not spent waiting for the model, from the transcripts' request/reply timestamps).
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_TASKS = ROOT.parent.parent / "shared" / "bench" / "exercism-dev.jsonl"


def run(args: argparse.Namespace) -> Path:
    out = ROOT / "results" / f"{datetime.date.today().isoformat()}-{args.label}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "hame", "bench", str(args.tasks), "--model", args.model, "--workers",
           str(args.workers), "--attempts", str(args.attempts), "--max-steps", str(args.max_steps),
           "--timeout", str(args.timeout), "--out", str(out), "--label", args.label, "--resume"]
    for extra in args.agent_arg:
        cmd.append(f"--agent-arg={extra}")
    for task in args.task:
        cmd += ["--task", task]
    subprocess.run(cmd, check=False)
    return out


def model_seconds(transcript: Path) -> float:
    """Seconds between each model request and its reply, summed."""
    total, start = 0.0, None
    for line in transcript.read_text(errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("type") == "model_request":
            start = rec.get("ts")
        elif rec.get("type") == "assistant" and start is not None:
            total += rec.get("ts", start) - start
            start = None
    return total


def transcripts(results: Path, task: str) -> list[Path]:
    runs = results.with_suffix(".runs") / task
    return sorted(runs.glob("state/sessions/*.jsonl")) if runs.is_dir() else []


def load_rows(results: Path) -> list[dict]:
    """The run's rows, each with `model_s` (seconds waiting for the model) taken from its transcripts while they
    exist, and written back to the results file so the figure outlives the run directory."""
    if not results.is_file():
        raise SystemExit(f"no results at {results}: the run wrote none (see the errors above)")
    rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    if rows and "traces" in rows[0]:
        return [vf_row(t) for row in rows for t in row["traces"]]
    changed = False
    for r in rows:
        found = transcripts(results, r["task"])
        if found and "model_s" not in r:
            r["model_s"] = round(sum(model_seconds(t) for t in found), 3)
            changed = True
    if changed:
        results.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def vf_row(trace: dict) -> dict:
    """A `vf-eval hame-env` rollout (a trace of its traces.jsonl) as a bench row: the reward, the final check's
    counts, and the bench records of hame's attempts that the harness keeps in `info.hame.runs`; an errored
    rollout (not scored) as a failure with stop reason `error`."""
    hame, metrics, timing = trace.get("info", {}).get("hame", {}), trace.get("metrics", {}), trace["timing"]
    runs, reward = hame.get("runs", []), ((trace.get("rewards") or {}).get("passed") or {}).get("score")
    end = max(timing["scoring"]["end"], timing["agent"]["end"])  # an errored rollout is not scored

    def total(key: str) -> int:
        return sum(r.get(key) or 0 for r in runs)

    return {"task": trace["task"]["data"]["name"], "passed": reward == 1,
            "passed_attempt": next((r["attempt"] for r in runs if r.get("passed")), None),
            "tests_passed": int(metrics.get("tests_passed") or 0),
            "tests_failed": int(metrics.get("tests_failed") or 0),
            "steps": total("steps"), "input_tokens": total("input_tokens"), "cached_tokens": total("cached_tokens"),
            "estimated_input_tokens": total("estimated_input_tokens"), "output_tokens": total("output_tokens"),
            "stop_reason": "error" if trace.get("errors") else hame.get("stop_reason") or "-", "runs": runs,
            "wall_s": end - timing["setup"]["start"]}


def report(*files: Path) -> None:
    rows = [row for f in files for row in load_rows(f)]
    solved = sum(r["passed"] for r in rows)
    name = " + ".join(f.name for f in files)
    print(f"{name}: solved {solved}/{len(rows)} ({100 * solved / max(len(rows), 1):.1f} %)")
    print(f"{'task':28} {'result':7} {'att':>3} {'stop':10} {'steps':>5} {'prompt':>8} {'cached':>8} "
          f"{'output':>7} {'wall s':>7} {'harness':>7}")
    sums = {"input": 0, "cached": 0, "processed": 0, "estimated": 0, "output": 0,
            "wall": 0.0, "agent": 0.0, "model": 0.0}
    for r in sorted(rows, key=lambda r: r["task"]):
        metered = [a["model_s"] for a in r.get("runs", []) if a.get("model_s") is not None]  # a peer's, metered
        model_s = r.get("model_s", sum(metered))  # neither for a peer run without the meter: not known
        agent_s = sum(a.get("agent_s", 0.0) for a in r.get("runs", [])) if "model_s" in r or metered else 0.0
        share = f"{1 - model_s / agent_s:.0%}" if agent_s else "-"
        print(f"{r['task'][:28]:28} {'PASS' if r['passed'] else 'fail':7} {r.get('passed_attempt') or '-':>3} "
              f"{r['stop_reason'][:10]:10} {r['steps']:>5} {r['input_tokens']:>8} {r['cached_tokens']:>8} "
              f"{r['output_tokens']:>7} {r['wall_s']:>7.0f} {share:>7}")
        for key, value in (("input", r["input_tokens"]), ("cached", r["cached_tokens"]),
                           ("processed", processed(r)), ("estimated", r.get("estimated_input_tokens", 0)),
                           ("output", r["output_tokens"]), ("wall", r["wall_s"]), ("agent", agent_s),
                           ("model", model_s)):
            sums[key] += value
    print(f"prompt tokens: {sums['input']:,} sent, {sums['cached']:,} served from the KV cache, "
          f"{sums['processed']:,} processed{cut_off(sums['estimated'])}; output tokens: {sums['output']:,}")
    harness = f"{1 - sums['model'] / sums['agent']:.1%}" if sums["agent"] else "not known (no transcripts)"
    print(f"wall time: {sums['wall']:.0f} s in all, {sums['wall'] / max(len(rows), 1):.0f} s a task; "
          f"harness share of agent time (not waiting for the model): {harness}")


def processed(r: dict) -> int:
    """A row's prompt tokens the server processed. A reply cut off while it streamed (the copy watch, the output
    guard) reports no usage: its prompt's size is estimated and how much of it came from the cache is not known, so
    it is shown apart (`cut_off`) rather than counted as all processed."""
    return r["input_tokens"] - r["cached_tokens"] - r.get("estimated_input_tokens", 0)


def cut_off(estimated: int) -> str:
    return f" (+ {estimated:,} sent in replies cut off, cache use unknown)" if estimated else ""


def compare(columns: list[str]) -> None:
    """One row per task, one column per NAME=FILE[,FILE...] (shards of one run joined): PASS, or fail with the
    tests that passed/failed at the end; then each column's solved count and token figures."""
    runs: list[tuple[str, dict[str, dict]]] = []
    for column in columns:
        name, sep, files = column.partition("=")
        if not sep or not files:
            raise SystemExit(f"--compare takes NAME=FILE[,FILE...], not {column!r}")
        runs.append((name, {r["task"]: r for f in files.split(",") for r in load_rows(Path(f))}))
    tasks = sorted({t for _, rows in runs for t in rows})
    print(f"{'task':28}" + "".join(f" {name[:16]:>16}" for name, _ in runs))
    for task in tasks:
        cells = []
        for _, rows in runs:
            r = rows.get(task)
            ok, bad = (r.get("tests_passed") or 0, r.get("tests_failed") or 0) if r else (0, 0)
            cells.append("-" if r is None else "PASS" if r["passed"] else f"fail {ok}/{ok + bad}")
        print(f"{task[:28]:28}" + "".join(f" {c:>16}" for c in cells))
    totals = (("solved", lambda rows: f"{sum(r['passed'] for r in rows)}/{len(rows)}"),
              ("prompt tokens sent", lambda rows: f"{sum(r['input_tokens'] for r in rows):,}"),
              ("processed", lambda rows: f"{sum(processed(r) for r in rows):,}"),
              ("+ cut off, unknown", lambda rows: f"{sum(r.get('estimated_input_tokens', 0) for r in rows):,}"),
              ("output tokens", lambda rows: f"{sum(r['output_tokens'] for r in rows):,}"),
              ("wall s a task", lambda rows: f"{sum(r['wall_s'] for r in rows) / max(len(rows), 1):.0f}"))
    for label, total in totals:
        print(f"{label:28}" + "".join(f" {total(list(rows.values())):>16}" for _, rows in runs))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--report", type=Path, nargs="+", help="only print the report of these results files (one table)")
    p.add_argument("--model", default="local:qwen2.5-coder-1.5b")
    p.add_argument("--label", default="hame")
    p.add_argument("--tasks", type=Path, default=DEFAULT_TASKS)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--attempts", type=int, default=2, help="tries per task (default 2, Aider's protocol)")
    p.add_argument("--max-steps", type=int, default=20)
    p.add_argument("--timeout", type=int, default=480)
    p.add_argument("--task", action="append", default=[])
    p.add_argument("--agent-arg", action="append", default=[])
    p.add_argument("--compare", nargs="+", metavar="NAME=FILES", help="only print finished runs side by side, "
                   "one column per NAME=FILE[,FILE...]")
    args = p.parse_args()
    if args.compare:
        compare(args.compare)
    else:
        report(*args.report) if args.report else report(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
