"""The bench's pure parts on plain values: task loading, prompts, result normalising, redaction, chat formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.bench.chatformats import merge_same_side
from hame.bench.prompting import RETRY_OUTPUT_CHARS, retry_prompt, task_prompt
from hame.bench.redact import MASK, redact, redact_value
from hame.bench.results import normalise, summarise
from hame.bench.tasks import Task, load_taskset
from hame.bench.worker import claim_workspace, model_for, pytest_counts
from hame.errors import UsageError

from .conftest import EXAMPLES, SCRIPTS


def test_example_task_set_loads_in_name_order() -> None:
    tasks = load_taskset(EXAMPLES)
    assert [t.name for t in tasks] == ["fizzbuzz", "median-bug", "roman-numerals", "word-count"]
    fb = tasks[0]
    assert sorted(fb.files) == ["fizzbuzz.py", "test_fizzbuzz.py"]  # TASK.md and task.toml stay out
    assert fb.files_to_edit == ("fizzbuzz.py",) and fb.test_files == ("test_fizzbuzz.py",) and fb.timeout == 60
    assert tasks[1].instructions.startswith("# Median bug")  # instructions.md works too
    assert load_taskset(EXAMPLES / "fizzbuzz") == [fb]


def test_manifest_lines_are_checked(tmp_path: Path) -> None:
    line = {"name": "a", "instructions": "x", "files": {"a.py": "", "a_test.py": ""}, "solution_files": ["a.py"],
            "test_files": ["a_test.py"], "pytest_targets": ["a_test.py", "b c.py"], "expected_passed": 1}
    (tmp_path / "ok.jsonl").write_text(json.dumps(line) + "\n\n")
    (task,) = load_taskset(tmp_path / "ok.jsonl")
    assert task.check == "python -m pytest -q a_test.py 'b c.py'" and task.files == {"a.py": b"", "a_test.py": b""}
    for bad in ({**line, "files": {"../evil.py": ""}}, {**line, "test_files": ["missing.py"]}, {"name": "n"}):
        (tmp_path / "bad.jsonl").write_text(json.dumps(bad) + "\n")
        with pytest.raises(UsageError, match="bad.jsonl:1"):
            load_taskset(tmp_path / "bad.jsonl")
    (tmp_path / "dup.jsonl").write_text((json.dumps(line) + "\n") * 2)
    with pytest.raises(UsageError, match="two tasks"):
        load_taskset(tmp_path / "dup.jsonl")


def test_task_dirs_skip_caches(tmp_path: Path) -> None:
    t = tmp_path / "t"
    (t / "__pycache__").mkdir(parents=True)
    (t / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (t / "pkg").mkdir()
    (t / "pkg" / "m.py").write_text("x = 1\n")
    (t / "TASK.md").write_text("do it")
    (task,) = load_taskset(t)
    assert task.files == {"pkg/m.py": b"x = 1\n"} and task.check == "python -m pytest -q"
    with pytest.raises(UsageError, match="no tasks"):
        load_taskset(t / "pkg")


def test_prompts_name_the_files_and_clip_the_output() -> None:
    task = Task("t", "# Title\nDo it.\n", {}, "python -m pytest -q t_test.py", files_to_edit=("t.py",),
                test_files=("t_test.py",))
    p = task_prompt(task)
    assert p.startswith("# Title\nDo it.\n\n# Your job\nChange t.py so that `python -m pytest -q t_test.py` passes.")
    bare = task_prompt(Task("u", "Do it.", {}))
    assert "Change the files in this directory" in bare and "The tests in this directory" in bare
    out = "FAILED first\n" + "noise line\n" * 2000 + "1 failed in 0.1s\n"
    r = retry_prompt(task, out)
    assert "FAILED first" in r and "1 failed in 0.1s" in r and "omitted" in r and "Fix t.py" in r
    assert len(r) < RETRY_OUTPUT_CHARS + 500


def test_scripted_model_per_task(tmp_path: Path) -> None:
    wc = next(t for t in load_taskset(EXAMPLES) if t.name == "word-count")
    assert model_for(f"scripted:{SCRIPTS}", wc, 1, tmp_path) == f"scripted:{tmp_path / 'script-1.jsonl'}"
    assert (tmp_path / "script-1.jsonl").read_text() == (SCRIPTS / "word-count.jsonl").read_text()
    model_for(f"scripted:{SCRIPTS}", wc, 2, tmp_path)
    assert (tmp_path / "script-2.jsonl").read_text() == (SCRIPTS / "word-count.2.jsonl").read_text()
    assert model_for(f"scripted:{SCRIPTS}/{{task}}.jsonl", wc, 1, tmp_path).endswith("script-1.jsonl")
    assert model_for("scripted:/nope/{task}.jsonl", wc, 1, tmp_path) == "scripted:/nope/word-count.jsonl"
    assert model_for("openai:m-{attempt}", wc, 2, tmp_path) == "openai:m-2"


def test_pytest_counts() -> None:
    assert pytest_counts("..F\n2 passed, 1 failed in 0.03s\n") == {"tests_passed": 2, "tests_failed": 1}
    assert pytest_counts("1 error in 0.1s") == {"tests_passed": 0, "tests_failed": 1}
    assert pytest_counts("3 failed, 1 passed, 2 errors in 1s") == {"tests_passed": 1, "tests_failed": 5}
    assert pytest_counts("Traceback ...") == {"tests_passed": None, "tests_failed": None}


def test_normalise_drops_timings_and_session_ids_and_sorts() -> None:
    a = {"task": "b", "wall_s": 1.0, "session_ids": ["x"], "runs": [{"agent_s": 2.0, "session_id": "x", "steps": 3}]}
    b = {"task": "a", "wall_s": 9.0, "passed": True}
    assert normalise([a, b]) == [{"task": "a", "passed": True}, {"task": "b", "runs": [{"steps": 3}]}]
    s = summarise([{"passed": True, "passed_attempt": 2, "input_tokens": 10, "wall_s": 1},
                   {"passed": False, "stop_reason": "timeout", "input_tokens": 30, "wall_s": 2}])
    assert (s.tasks, s.solved, s.solved_first, s.timeouts, s.per_solved(s.input_tokens)) == (2, 1, 0, 1, 40.0)


@pytest.mark.parametrize("secret", [
    "sk-ant-api03-" + "x1" * 20, "sk-" + "Ab3" * 10, "ghp_" + "a1" * 18, "AKIAIOSFODNN7EXAMPLE",
    "hf_" + "Ab" * 17, "xoxb-1234567890-abcdefghij", "AIza" + "b" * 35,
])
def test_redacts_known_token_shapes(secret: str) -> None:
    assert redact(f"key: {secret} end") == f"key: {MASK} end"


def test_redacts_assignments_and_keys_but_not_code() -> None:
    assert redact('api_key = "hunter2hunter2"') == f'api_key = "{MASK}"'
    assert redact("export OPENAI_API_KEY=abc123def456") == f"export OPENAI_API_KEY={MASK}"
    assert redact("Authorization: Bearer abcdefghijklmnopqrstuvwxyz") == f"Authorization: Bearer {MASK}"
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"
    assert redact(f"a\n{pem}\nb") == f"a\n{MASK}\nb"
    for code in ("token = tokens[0]", "password = get_password()", "MAX_TOKENS=100000", "max_tokens: int = 4096",
                 "task-sk-cleanup"):
        assert redact(code) == code
    assert redact_value({"a": ["sk-" + "Q" * 30, 3]}) == {"a": [MASK, 3]}


def test_merge_same_side_keeps_turns_alternating() -> None:
    turns = [{"from": "human", "value": "h"}, {"from": "function_call", "value": "c"},
             {"from": "observation", "value": "o1"}, {"from": "observation", "value": "o2"},
             {"from": "human", "value": "note"}, {"from": "gpt", "value": "g"}]
    merged = merge_same_side(turns)
    assert [t["from"] for t in merged] == ["human", "function_call", "observation", "gpt"]
    assert merged[2]["value"] == "o1\n\no2\n\nnote"


def test_a_task_gets_the_same_workspace_path_every_run_unless_another_bench_holds_it(tmp_path: Path) -> None:
    """The path is in the model's prompt: the same in every run; a second bench on the same task gets its own."""
    ws, lock = claim_workspace("leap", tmp_path)
    assert ws == tmp_path / "hame-bench-leap" and ws.is_dir() and not any(ws.iterdir())
    (ws / "leftover.py").write_text("x")
    other, other_lock = claim_workspace("leap", tmp_path)
    assert other == tmp_path / "hame-bench-leap-2" and (ws / "leftover.py").exists()  # the first is untouched
    lock.unlink()
    again, _ = claim_workspace("leap", tmp_path)
    assert again == ws and not any(ws.iterdir())  # released: reused, emptied
    other_lock.write_text("999999999")  # a bench killed while it held the name
    assert claim_workspace("leap", tmp_path)[0] == other


def test_the_bench_runs_agents_without_prompt_caches_saved_by_earlier_runs(tmp_path: Path, monkeypatch) -> None:
    """A task's first prompt is the same in every run, so a cache saved by an earlier run would skip its prefill."""
    from hame.bench.worker import BenchConfig, agent_env
    from hame.errors import UsageError
    from hame.providers.local_provider import saved_prompts_dir

    monkeypatch.delenv("HAME_PROMPT_CACHE", raising=False)
    monkeypatch.setenv("HAME_CACHE_DIR", str(tmp_path / "cache"))
    assert saved_prompts_dir() == tmp_path / "cache" / "kv-cache"  # a user's runs share them
    env = agent_env(BenchConfig(model="local", run_dir=str(tmp_path), python="python"), tmp_path / "state")
    assert env["HAME_PROMPT_CACHE"] == "off"
    monkeypatch.setenv("HAME_PROMPT_CACHE", env["HAME_PROMPT_CACHE"])
    assert saved_prompts_dir() is None
    monkeypatch.setenv("HAME_PROMPT_CACHE", "sometimes")
    with pytest.raises(UsageError, match="HAME_PROMPT_CACHE='sometimes': use on or off"):
        saved_prompts_dir()


def test_a_runs_tokens_include_what_its_final_record_counts_beyond_the_replies() -> None:
    from hame.bench.worker import usage_of

    reply = {"type": "assistant", "usage": {"input_tokens": 100, "output_tokens": 10, "cached_tokens": 80}}
    final = {"type": "final", "usage": {"input_tokens": 400, "output_tokens": 60, "cached_tokens": 300}}
    assert usage_of([{"type": "model_request"}, reply, final]) == {
        "steps": 1, "input_tokens": 400, "output_tokens": 60, "cached_tokens": 300, "estimated_input_tokens": 0}
    assert usage_of([{"type": "model_request"}, reply])["input_tokens"] == 100  # killed: no final record
