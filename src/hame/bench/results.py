"""Bench results: one JSON line per task, appended and fsynced as each task finishes, so a killed run can be
resumed. `normalise` strips what legitimately differs between two runs of the same bench (timings, session
ids) so result files from the local and the Ray backend can be compared."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..session.transcript import read_records

TIMING_SUFFIX = "_s"
VOLATILE = ("session_ids", "session_id")
HARNESS_ERROR = "harness_error"  # the bench itself failed on this task; --resume runs it again


class AttemptResult(BaseModel):
    attempt: int
    stop_reason: str
    exit_code: int | None
    steps: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    estimated_input_tokens: int = 0  # part of input_tokens the server reported no usage for (replies cut off)
    check_exit: int | None = None
    passed: bool = False
    tests_passed: int | None = None
    tests_failed: int | None = None
    error: str | None = None
    session_id: str | None = None
    agent_s: float = 0.0
    check_s: float = 0.0
    model_s: float | None = None  # a peer's time waiting for the model (bench/peer_bench.py's meter); hame's own
    # runs take it from their transcripts (bench/solve_rate.py)


class TaskResult(BaseModel):
    task: str
    passed: bool
    attempts: int
    passed_attempt: int | None = None
    tests_passed: int | None = None
    tests_failed: int | None = None
    steps: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    estimated_input_tokens: int = 0
    stop_reason: str = ""
    error: str | None = None
    session_ids: list[str] = Field(default_factory=list)
    model: str = ""
    label: str = ""
    wall_s: float = 0.0
    runs: list[AttemptResult] = Field(default_factory=list)

    @classmethod
    def of(cls, task: str, runs: list[AttemptResult], wall_s: float, model: str, label: str) -> TaskResult:
        last = runs[-1]
        ids = list(dict.fromkeys(r.session_id for r in runs if r.session_id))
        return cls(task=task, passed=last.passed, attempts=len(runs),
                   passed_attempt=last.attempt if last.passed else None,
                   tests_passed=last.tests_passed, tests_failed=last.tests_failed,
                   steps=sum(r.steps for r in runs), input_tokens=sum(r.input_tokens for r in runs),
                   output_tokens=sum(r.output_tokens for r in runs),
                   cached_tokens=sum(r.cached_tokens for r in runs),
                   estimated_input_tokens=sum(r.estimated_input_tokens for r in runs), stop_reason=last.stop_reason,
                   error=last.error, session_ids=ids, model=model, label=label, wall_s=round(wall_s, 3), runs=runs)


def harness_failure(task: str, error: BaseException, model: str, label: str) -> TaskResult:
    return TaskResult(task=task, passed=False, attempts=0, stop_reason=HARNESS_ERROR,
                      error=f"{type(error).__name__}: {error}", model=model, label=label)


class ResultsFile:
    """The JSONL results file: read what is there (for --resume), append one task at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[dict[str, Any]]:
        """The latest record of each task, in file order (a task re-run after a harness error appears twice)."""
        records = read_records(self.path, typed=False) if self.path.is_file() else []
        return list({r["task"]: r for r in records if "task" in r}.values())

    def done(self) -> set[str]:
        return {r["task"] for r in self.load() if r.get("stop_reason") != HARNESS_ERROR}

    def start(self, resume: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not resume:
            self.path.write_text("")
        else:
            _drop_torn_tail(self.path)

    def append(self, result: TaskResult) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(result.model_dump_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())


def _drop_torn_tail(path: Path) -> None:
    if not path.is_file():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])


def normalise(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records sorted by task, without timings (keys ending in `_s`) and session ids."""
    return sorted((_strip(r) for r in records), key=lambda r: str(r.get("task")))


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.endswith(TIMING_SUFFIX) and k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def load_normalised(path: Path) -> str:
    """A results file as canonical JSON text: equal for two runs that did the same work."""
    return json.dumps(normalise(read_records(path, typed=False)), indent=1, sort_keys=True)


@dataclass(frozen=True)
class Summary:
    tasks: int
    solved: int
    solved_first: int
    errors: int
    timeouts: int
    steps: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    wall_s: float
    estimated_input_tokens: int = 0  # prompts of replies cut off while streaming: the server reported no usage

    @property
    def pass_rate(self) -> float:
        return self.solved / self.tasks if self.tasks else 0.0

    def per_solved(self, n: int) -> float | None:
        return n / self.solved if self.solved else None


def summarise(records: list[dict[str, Any]]) -> Summary:
    def total(key: str) -> int:
        return sum(int(r.get(key) or 0) for r in records)

    return Summary(tasks=len(records), solved=sum(bool(r.get("passed")) for r in records),
                   solved_first=sum(r.get("passed_attempt") == 1 for r in records),
                   errors=sum(r.get("stop_reason") == "error" for r in records),
                   timeouts=sum(r.get("stop_reason") == "timeout" for r in records),
                   steps=total("steps"), input_tokens=total("input_tokens"), output_tokens=total("output_tokens"),
                   cached_tokens=total("cached_tokens"), estimated_input_tokens=total("estimated_input_tokens"),
                   wall_s=sum(float(r.get("wall_s") or 0) for r in records))
