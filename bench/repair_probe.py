#!/usr/bin/env python3
"""Can the model repair its best version of a task? Rounds of focused repair on a finished run's best attempt.

    python bench/repair_probe.py bench/results/RUN.jsonl TASK [--mode shown|outline] [--samples 6] [--hints]
        [--model qwen2.5-coder-1.5b] [--threads 1] [--tasks TASKS.jsonl]

From the transcripts of a finished `bench/solve_rate.py` run (RUN.runs/TASK), every version of the file to change
that the model wrote is checked again with the task's tests; the one with the fewest failing tests is the best.
The model (the embedded one, on the same system prompt and task message as in the run) is then asked
`--samples` times to fix it, as hame's focused repair asks (tactics/restarts.py):

- `shown`: the best version in the note, with its failing tests; "send only the definitions to fix".
- `outline`: only the names it defines, with its failing tests, so that there is no code to copy.

Each reply is spliced into the best version (tools/splice.py) or, when it is a whole file, replaces it, and the
tests run. An improvement becomes the best version for the next sample (hill-climbing). Printed per sample: the
temperature, the seconds, the tokens read and written, and the outcome (`copy`: the same code; `better`, `same
count`, `worse`, `no block`); then a summary. `--hints` adds hame's error hints (context/error_hints.py).
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from hame.bench.tasks import Task, load_taskset
from hame.bench.worker import write_files
from hame.context.error_hints import with_hints
from hame.context.pytest_report import digest
from hame.providers.local import LocalServer
from hame.providers.model_store import ensure_model
from hame.session.transcript import cache_dir, read_records
from hame.tactics.restarts import FOCUS
from hame.tools.fileblocks import file_blocks
from hame.tools.splice import splice
from hame.tools.writefix import fix_python, identifiers, strip_echo

ROOT = Path(__file__).resolve().parent
DEFAULT_TASKS = ROOT.parent.parent / "shared" / "bench" / "exercism-dev.jsonl"
TEMPERATURES = (0.5, 0.7, 0.9)  # hame's noted restarts climb through these
OUTLINE = ("[hame: your {target} passes {passed} of the {total} tests now. It defines: {outline}.]\n"
           "[These tests still fail:]\n```\n{report}\n```\n"
           "Write only the functions or methods to add or change so that these tests pass (a method inside its "
           "`class` line), not the rest of the file: {target} on one line, then one fenced block holding them. "
           "hame puts them in place of the old ones and keeps the rest of {target} as it is.")


@dataclass(frozen=True)
class Score:
    failed: int  # a run that does not collect or times out counts as every test failing
    passed: int
    report: str  # what hame's check shows the model (context/pytest_report.py)

    def __lt__(self, other: Score) -> bool:
        return (self.failed, -self.passed) < (other.failed, -other.passed)


class Workspace:
    """The task's files in a temporary directory; `score` writes one version of the target and runs the tests."""

    def __init__(self, task: Task, target: str) -> None:
        self.task, self.target = task, target
        self.stub = task.files[target].decode("utf-8", errors="replace") if target in task.files else None
        self.root = Path(tempfile.mkdtemp(prefix=f"hame-probe-{task.slug}-"))
        write_files(self.root, task.files)

    def score(self, code: str) -> Score:
        """Write `code` as hame's write_file does (with its repairs: tools/writefix.py) and run the tests."""
        tests = [self.root / t for t in self.task.test_files]
        code = fix_python(self.stub, strip_echo(code), lambda: identifiers(tests))[0]
        (self.root / self.target).write_text(code, encoding="utf-8")
        cmd = [sys.executable, "-m", "pytest", "-q", *self.task.test_files]
        try:
            proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return Score(10**6, 0, "the tests ran out of time (60 s)")
        out = proc.stdout
        summary = out.strip().rsplit("\n", 1)[-1]  # "2 failed, 40 passed, 1 error in 0.70s"
        failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)\b", summary))
        passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", summary)) else 0
        if proc.returncode and not passed and " failed" not in summary:  # nothing ran: the file does not import
            failed = 10**6
        return Score(failed, passed, digest(out) or out[-1500:])


def written_versions(transcripts: list[Path], target: str) -> list[str]:
    """Every content the model wrote to `target` in these transcripts (write_file calls), first seen first."""
    seen: dict[str, None] = {}
    for rec in (r for path in transcripts for r in read_records(path)):
        if rec.get("type") != "tool_call" or rec.get("name") != "write_file":
            continue
        args = rec.get("arguments")
        if isinstance(args, str):
            try:
                args = ast.literal_eval(args)
            except (ValueError, SyntaxError):
                continue
        if isinstance(args, dict) and args.get("path") == target and isinstance(args.get("content"), str):
            seen.setdefault(args["content"], None)
    return list(seen)


def first_messages(transcript: Path) -> list[dict[str, str]]:
    """The system prompt and the task message the run's model saw first."""
    out: list[dict[str, str]] = []
    for rec in read_records(transcript):
        if rec.get("type") == "message" and len(out) < 2:
            m = rec["message"]
            out.append({"role": m["role"], "content": str(m.get("content") or "")})
    return out


def outline(code: str) -> str:
    """The names a Python file defines: `class C (a, b); f()`."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return "code that does not parse"
    names = []
    for node in body:
        if isinstance(node, ast.ClassDef):
            methods = ", ".join(n.name for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
            names.append(f"class {node.name} ({methods})")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.append(f"{node.name}()")
    return "; ".join(names) or "nothing"


def note(mode: str, target: str, code: str, score: Score, hints: bool) -> str:
    report = with_hints(score.report) if hints else score.report
    if mode == "outline":
        return OUTLINE.format(target=target, passed=score.passed, total=score.passed + score.failed,
                              outline=outline(code), report=report)
    return FOCUS.format(target=target, code=code if code.endswith("\n") else code + "\n", report=report,
                        how=f"{target} on one line, then one fenced block holding them")


def apply(best: str, reply: str, target: str) -> str | None:
    """The file after the reply: its definitions spliced into `best`, or its whole file; None without a block."""
    blocks, _ = file_blocks(reply, default=target)
    part = next((b.content for b in blocks if b.path == target), None)
    if part is None:
        return None
    spliced = splice(best, part)
    return spliced[0] if spliced else part


def outcome(best: str, before: Score, new: str | None, after: Score | None) -> str:
    if new is None or after is None:
        return "no block"
    if new.strip() == best.strip():
        return "copy"
    if after < before:
        return "better"
    return "same count" if after.failed == before.failed else "worse"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", type=Path, help="a finished run's results file (its transcripts in RESULTS.runs)")
    ap.add_argument("task")
    ap.add_argument("--mode", choices=("shown", "outline"), default="shown")
    ap.add_argument("--samples", type=int, default=6)
    ap.add_argument("--hints", action="store_true", help="add hame's error hints to the failing tests")
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tasks", type=Path, default=DEFAULT_TASKS)
    args = ap.parse_args()
    task = next((t for t in load_taskset(args.tasks) if t.name == args.task), None)
    if task is None or not task.files_to_edit:
        sys.exit(f"no task {args.task!r} with a file to change in {args.tasks}")
    target = task.files_to_edit[0]
    found = sorted((args.results.with_suffix(".runs") / task.name).glob("**/sessions/*.jsonl"))
    versions = written_versions(found, target)
    if not versions:
        sys.exit(f"no version of {target} in the transcripts under {args.results.with_suffix('.runs')}")
    ws = Workspace(task, target)
    best_score, best = min(((ws.score(v), v) for v in versions), key=lambda sv: sv[0])
    print(f"{task.name}: {len(versions)} versions written; the best fails {best_score.failed}, "
          f"passes {best_score.passed}", flush=True)
    messages = first_messages(found[0])
    counts: dict[str, int] = {}
    model = ensure_model(args.model, cache_dir() / "models")
    with LocalServer.start(model, ctx_size=8192, threads=args.threads) as srv:
        for i in range(args.samples):
            if best_score.failed == 0:
                break
            temperature = TEMPERATURES[i % len(TEMPERATURES)]
            body = {"messages": [*messages, {"role": "user", "content": note(args.mode, target, best, best_score,
                                                                                args.hints)}],
                    "max_tokens": 1024, "temperature": temperature, "cache_prompt": True}
            t0 = time.perf_counter()
            reply = httpx.post(f"{srv.base_url}/chat/completions", json=body, timeout=900).json()
            text = reply["choices"][0]["message"]["content"] or ""
            new = apply(best, text, target)
            after = ws.score(new) if new is not None else None
            kind = outcome(best, best_score, new, after)
            counts[kind] = counts.get(kind, 0) + 1
            timings = reply.get("timings", {})
            print(f"#{i} T{temperature} {time.perf_counter() - t0:.0f}s read {timings.get('prompt_n')} "
                  f"wrote {timings.get('predicted_n')}: {kind}"
                  + (f", fails {after.failed} passes {after.passed}" if after else ""), flush=True)
            if kind == "better" and after is not None and new is not None:
                best, best_score = new, after
    print(f"{task.name} {args.mode}{' +hints' if args.hints else ''}: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
          + f"; best now fails {best_score.failed}" + (" (solved)" if best_score.failed == 0 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
