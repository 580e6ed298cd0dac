"""Delegation to subagents, end to end through the real CLI: parallel read-only children with their own scripts,
refused writes, depth / step / token budgets, nested events in the transcript and the progress lines."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from ..conftest import call, make_workspace, requests_of, write_script
from ..fakes.openai_server import FakeOpenAI, reply

FILES = {"calc.py": "def add(a, b):\n    return a - b\n", "util.py": "def sub(a, b):\n    return a - b\n"}


def _child_script(parent: Path, n: int, turns: list[dict]) -> Path:
    return write_script(parent.with_name(f"{parent.name}.child-{n}.jsonl"), turns)


def _config(ws: Path, text: str) -> None:
    (ws / ".hame").mkdir(exist_ok=True)
    (ws / ".hame" / "config.toml").write_text(text)


def _tool_results(request: dict) -> list[str]:
    return [m["content"] for m in request["messages"] if m["role"] == "tool"]


def _records(out: dict) -> list[dict]:
    return [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]


def test_two_read_only_children_report_to_the_parent(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    parent = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("delegate", task=["Where is add defined?", "Where is sub defined?"])]},
        {"content": "add is wrong in calc.py; sub is fine."}])
    for n, path in ((1, "calc.py"), (2, "util.py")):
        _child_script(parent, n, [
            {"content": "", "tool_calls": [call("read_file", path=path)]},
            {"content": "", "tool_calls": [call("write_file", path=path, content="oops\n")]},
            {"content": f"Found it in {path}, line 1."}])
    r = hame("-p", "review the math", "--cwd", str(ws), "--model", f"scripted:{parent}", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    assert {p: (ws / p).read_text() for p in FILES} == FILES  # the write attempts were refused

    reqs = requests_of(parent)
    assert len(reqs) == 2 and "id_slot" not in reqs[0]
    report = _tool_results(reqs[1])[0]
    first, second = report.split("\n\n")
    assert first.startswith("[subagent 1: done; 3 steps,") and "task: Where is add defined?" in first
    assert "Found it in calc.py, line 1.\nfiles looked at: calc.py" in first
    assert second.startswith("[subagent 2: done;") and "files looked at: util.py" in second
    assert "Found it in" not in json.dumps(reqs[1]["messages"][:-1])  # the parent sees only the reports

    for n in (1, 2):
        child = requests_of(parent.with_name(f"s.jsonl.child-{n}.jsonl"))
        assert len(child) == 3 and all(c["id_slot"] == 1 for c in child)
        assert child[0]["messages"][0] == reqs[0]["messages"][0] and child[0]["tools"] == reqs[0]["tools"]
        assert "Task: Where is" in child[0]["messages"][1]["content"]
        refused = _tool_results(child[2])[1]
        assert refused.startswith("Error: write_file is not available here: this subagent is read-only")

    records = _records(json.loads(r.stdout))
    starts = [x for x in records if x["type"] == "subagent_start"]
    # children start in parallel threads: their start events may come in either order
    assert sorted((s["agent"], s["depth"], s["tools"]) for s in starts) == [(1, 1, "read-only"), (2, 1, "read-only")]
    nested = [x for x in records if x["type"] == "subagent"]
    assert {(x["agent"], x["event"]["type"]) for x in nested} >= {(1, "tool_call"), (2, "final"), (1, "message")}
    assert sum(x["type"] == "message" for x in records) == 5  # the parent's own history only
    assert "  ↳ subagent 1 (read-only, 12 steps): Where is add defined?" in r.stderr
    assert '  #2 [1] read_file {"path": "util.py"}' in r.stderr


@pytest.mark.parametrize("first", [[("delegate", {"task": ["find ALPHA", "find BETA"]})],
                                   [("delegate", {"task": "find ALPHA"}), ("delegate", {"task": "find BETA"})]],
                         ids=["a-list-of-tasks", "parallel-calls"])
def test_children_run_at_the_same_time(tmp_path: Path, hame, first: list) -> None:
    """Each child's first request waits until the other's has arrived: run one after the other, they would not."""
    ws = make_workspace(tmp_path / "ws", FILES)
    both_waiting = threading.Barrier(2, timeout=20)

    def child_turn(body: dict) -> dict:
        task = body["messages"][1]["content"]
        if body["messages"][-1]["role"] == "user":
            both_waiting.wait()
            return reply(None, [("read_file", {"path": "calc.py" if "ALPHA" in task else "util.py"})])
        return reply("found add" if "ALPHA" in task else "found sub")

    replies = [reply(None, first), child_turn, child_turn, child_turn, child_turn, reply("both found")]
    with FakeOpenAI(replies) as srv:
        r = hame("-p", "look", "--cwd", str(ws), "--model", "openai:m", "--base-url", srv.url, "--api-key", "k",
                 "--output-format", "json")
    assert r.returncode == 0, r.stderr
    report = "\n".join(m["content"] for m in srv.requests[-1]["messages"] if m["role"] == "tool")
    assert "found add" in report and "found sub" in report and report.count("[subagent ") == 2
    assert json.loads(r.stdout)["usage"]["input_tokens"] == 600  # the children's tokens count too


def test_depth_and_step_budgets_are_enforced_and_reported(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    _config(ws, "[delegate]\nmax_depth = 2\nmax_steps = 2\n")
    parent = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("delegate", task="look into calc.py")]},
        {"content": "ok"}])
    _child_script(parent, 1, [
        {"content": "", "tool_calls": [call("delegate", task="read calc.py")]},
        {"content": "my helper ran out of steps"}])
    _child_script(parent, 2, [
        {"content": "", "tool_calls": [call("delegate", task="deeper still")]},
        {"content": "So far: add() subtracts.", "tool_calls": [call("read_file", path="calc.py")]},
        {"content": "never reached"}])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{parent}", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    grandchild = requests_of(parent.with_name("s.jsonl.child-2.jsonl"))
    assert len(grandchild) == 2  # its step budget
    assert "a subagent cannot start subagents (delegate max_depth is 2)" in _tool_results(grandchild[1])[0]
    to_child = _tool_results(requests_of(parent.with_name("s.jsonl.child-1.jsonl"))[1])[0]
    assert to_child.startswith("[subagent 2: INCOMPLETE, its step budget (2 steps) ran out; what it had so far:; "
                               "2 steps,")
    assert "So far: add() subtracts.\nfiles looked at: calc.py" in to_child
    assert "[subagent 1: done; 2 steps" in _tool_results(requests_of(parent)[1])[0]
    depths = {(x["agent"], x["depth"]) for x in _records(json.loads(r.stdout)) if x["type"] == "subagent"}
    assert depths == {(1, 1), (2, 2)}
    assert "    #2 [1] delegate" in r.stderr  # a grandchild is indented twice


def test_a_child_over_its_token_budget_returns_incomplete(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    _config(ws, "[delegate]\nmax_tokens = 1000\n")
    parent = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("delegate", task="read everything")]}, {"content": "ok"}])
    _child_script(parent, 1, [{"content": "Reading calc.py first.", "tool_calls": [call("read_file", path="calc.py")]},
                              {"content": "never reached"}])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{parent}")
    assert r.returncode == 0, r.stderr
    report = _tool_results(requests_of(parent)[1])[0]
    assert report.startswith("[subagent 1: INCOMPLETE, its token budget (1000 tokens) ran out")
    assert "Reading calc.py first." in report and len(requests_of(parent.with_name("s.jsonl.child-1.jsonl"))) == 1


def test_children_share_the_main_script_when_they_have_none(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("delegate", task="find add")]},
        {"content": "", "tool_calls": [call("search", pattern="def add")]},
        {"content": "add is in calc.py"},
        {"content": "done"}])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}")
    assert r.returncode == 0, r.stderr
    reqs = requests_of(script)
    assert [q.get("id_slot") for q in reqs] == [None, 1, 1, None]
    assert "[subagent 1: done; 2 steps" in _tool_results(reqs[3])[0]


def test_config_turns_delegation_off_and_bad_keys_are_errors(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    script = write_script(tmp_path / "s.jsonl", [{"content": "done"}])
    _config(ws, "[delegate]\nmax_depth = 0\n")
    assert hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}").returncode == 0
    assert "delegate" not in {t["function"]["name"] for t in requests_of(script)[0]["tools"]}
    _config(ws, "[delegate]\nmax_step = 3\n")
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}")
    assert r.returncode == 2 and "[delegate] in config.toml: max_step: Extra inputs are not permitted" in r.stderr


def test_a_writing_child_changes_files_through_the_parents_checkpoints(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    parent = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("delegate", task="fix add", tools="all")]}, {"content": "fixed"}])
    _child_script(parent, 1, [
        {"content": "", "tool_calls": [call("edit_file", path="calc.py", old_text="a - b", new_text="a + b")]},
        {"content": "Fixed add in calc.py."}])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{parent}", "--sandbox", "none",
             "--output-format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["files_changed"] == ["calc.py"] and "a + b" in (ws / "calc.py").read_text()
    assert _tool_results(requests_of(parent)[1])[0].endswith("files looked at: calc.py\nfiles changed: calc.py")
    assert [x["step"] for x in _records(out) if x["type"] == "checkpoint"] == [1]  # /undo restores it


def test_max_cost_counts_and_stops_the_children(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    parent = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("delegate", task="Read every file.")]},
        {"content": "", "tool_calls": [call("list_files")]},
        {"content": "done"}])
    _child_script(parent, 1, [{"content": "", "tool_calls": [call("read_file", path=p)]} for p in list(FILES) * 5])
    _config(ws, f'[models.paid]\nprovider = "scripted"\nmodel = "{parent}"\n[prices.paid]\ninput = 1.0\n')
    r = hame("-p", "look around", "--cwd", str(ws), "--model", "paid", "--max-cost", "0.006",
             "--output-format", "json")
    out = json.loads(r.stdout)
    assert r.returncode == 3 and out["stop_reason"] == "budget", r.stderr
    child = requests_of(parent.with_name("s.jsonl.child-1.jsonl"))
    assert 1 <= len(child) < 10  # the child stopped at the budget instead of running its 10 steps
    assert len(requests_of(parent)) == 1  # and the parent stopped before its next call
    assert out["cost_usd"] >= 0.006


def test_a_long_child_is_compacted_within_the_window(tmp_path: Path, hame) -> None:
    from hame.messages import estimate_tokens

    big = {f"mod{i}.py": "".join(f"def f{i}_{j}(x):\n    return x * {j}  # function {j} of module {i}\n"
                                 for j in range(60)) for i in range(6)}
    ws = make_workspace(tmp_path / "ws", big)
    _config(ws, "[delegate]\nmax_steps = 60\n")
    parent = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("delegate", task="Read every module, twice over.")]},
        {"content": "done"}])
    reads = [{"content": "", "tool_calls": [call("read_file", path=f"mod{s % 6}.py", offset=1 + s // 6)]}
             for s in range(30)]
    _child_script(parent, 1, reads + [{"content": "All read."}] * 3)
    r = hame("-p", "survey", "--cwd", str(ws), "--model", f"scripted:{parent}", "--context-window", "8192",
             "--output-format", "json", timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    child = requests_of(parent.with_name("s.jsonl.child-1.jsonl"))
    assert len(child) > 30 and max(estimate_tokens(json.dumps(c, ensure_ascii=False)) for c in child) <= 8192
    nested = [rec["event"] for rec in _records(json.loads(r.stdout)) if rec["type"] == "subagent"]
    assert any(e.get("type") == "compaction" for e in nested)
