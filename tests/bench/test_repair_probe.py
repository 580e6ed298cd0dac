"""bench/repair_probe.py: the versions a run wrote, scored again with real pytest; replies spliced and judged."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from hame.bench.tasks import Task

from .conftest import ROOT

SCRIPT = ROOT / "bench" / "repair_probe.py"
STUB = "def add(a, b):\n    pass\n"
TESTS = ("from adder import add, sub\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
         "def test_sub():\n    assert sub(5, 3) == 2\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n")
WRONG_SUB = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a + b\n"


def probe() -> ModuleType:
    spec = importlib.util.spec_from_file_location("repair_probe", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["repair_probe"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def task() -> Task:
    return Task(name="adder", instructions="Write add and sub.", files={"adder.py": STUB.encode(),
                "test_adder.py": TESTS.encode()}, files_to_edit=("adder.py",), test_files=("test_adder.py",))


def transcript(path: Path, writes: list[tuple[str, str]]) -> Path:
    records = [{"type": "message", "message": {"role": "system", "content": "You are hame."}},
               {"type": "message", "message": {"role": "user", "content": "Write add and sub."}}]
    records += [{"type": "tool_call", "name": "write_file", "arguments": {"path": p, "content": c}}
                for p, c in writes]
    records.append({"type": "tool_call", "name": "write_file", "arguments": str({"path": "adder.py",
                                                                                  "content": "x = 1\n"})})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + "{not json\n")
    return path


def test_versions_are_read_from_transcripts_once_each_and_the_best_is_the_fewest_failing(tmp_path: Path) -> None:
    rp = probe()
    log = transcript(tmp_path / "s.jsonl", [("adder.py", STUB), ("adder.py", WRONG_SUB), ("other.py", "y = 2\n"),
                                            ("adder.py", STUB)])
    versions = rp.written_versions([log], "adder.py")
    assert versions == [STUB, WRONG_SUB, "x = 1\n"]  # a repr'd argument dict counts; other files do not
    assert rp.first_messages(log) == [{"role": "system", "content": "You are hame."},
                                      {"role": "user", "content": "Write add and sub."}]
    ws = rp.Workspace(task(), "adder.py")
    scores = {v: ws.score(v) for v in versions}
    assert (scores[WRONG_SUB].failed, scores[WRONG_SUB].passed) == (1, 2)
    assert scores[STUB].failed == 10**6  # `sub` cannot be imported: nothing runs
    assert min(versions, key=lambda v: scores[v]) == WRONG_SUB
    assert "test_sub" in scores[WRONG_SUB].report


def test_a_reply_with_one_function_is_spliced_and_judged_against_the_best(tmp_path: Path) -> None:
    rp = probe()
    ws = rp.Workspace(task(), "adder.py")
    before = ws.score(WRONG_SUB)
    fixed = rp.apply(WRONG_SUB, "adder.py\n```python\ndef sub(a, b):\n    return a - b\n```\n", "adder.py")
    assert fixed == "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    after = ws.score(fixed)
    assert after.failed == 0 and after.passed == 3
    assert rp.outcome(WRONG_SUB, before, fixed, after) == "better"
    assert rp.outcome(WRONG_SUB, before, WRONG_SUB, before) == "copy"
    assert rp.outcome(WRONG_SUB, before, None, None) == "no block"
    worse = rp.apply(WRONG_SUB, "```python\ndef add(a, b):\n    return 0\n```\n", "adder.py")
    assert rp.outcome(WRONG_SUB, before, worse, ws.score(worse)) == "worse"


def test_the_outline_note_names_definitions_without_their_code() -> None:
    rp = probe()
    code = "class Box:\n    def __init__(self):\n        self.x = 1\n\n    def get(self):\n        return 2\n\n\n" \
           "def helper():\n    return 3\n"
    assert rp.outline(code) == "class Box (__init__, get); helper()"
    score = rp.Score(1, 2, "pytest: 1 failed, 2 passed in 0.1s")
    text = rp.note("outline", "box.py", code, score, hints=False)
    assert "passes 2 of the 3 tests" in text and "return 2" not in text
    assert "return 2" in rp.note("shown", "box.py", code, score, hints=False)


def test_a_run_without_transcripts_is_a_clear_error(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps({"name": "adder", "instructions": "Write add.", "files": {"adder.py": STUB,
                                 "test_adder.py": TESTS}, "solution_files": ["adder.py"],
                                 "test_files": ["test_adder.py"]}) + "\n")
    r = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "run.jsonl"), "adder", "--tasks", str(tasks)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "no version of adder.py in the transcripts" in r.stderr
    r = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "run.jsonl"), "nope", "--tasks", str(tasks)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "no task 'nope'" in r.stderr
