"""The todo tool: the whole list written at once, shown as a checklist, kept in the working memory across resume,
and recalled once before a final answer while items are open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.errors import ToolError
from hame.events import Event, TodoUpdate
from hame.session.memory import CAPS, HEADER, WorkingMemory
from hame.tools.base import ToolContext
from hame.tools.todo import TodoTool

from ..conftest import call, make_workspace, requests_of, write_script
from ..session.support import repl

PLAN = [{"text": "read calc.py", "status": "done"}, {"text": "fix add()", "status": "in_progress"},
        {"text": "run the tests"}]
CHECKLIST = "todo:\n  [x] read calc.py\n  [>] fix add()\n  [ ] run the tests"


def _write(tool: TodoTool, items: list) -> str:
    return tool.run(tool.validate({"items": items}), ToolContext(workspace=Path(".")))


def test_statuses_are_read_leniently_and_the_list_is_capped() -> None:
    events: list[Event] = []
    memory = WorkingMemory()
    tool = TodoTool(memory, events.append)
    assert _write(tool, [{"text": "a", "status": "completed"}, {"text": "b", "status": "In Progress"}, "c"]) == (
        "Todo list saved: 3 items, 2 open (shown in your working memory).")
    assert [t.status for t in memory.record.todo] == ["done", "in_progress", "pending"]
    assert isinstance(events[-1], TodoUpdate) and events[-1].items[2] == {"text": "c", "status": "pending"}
    with pytest.raises(ToolError, match=f"at most {CAPS['todo']} items and you sent {CAPS['todo'] + 1}"):
        _write(tool, [f"step {i}" for i in range(CAPS["todo"] + 1)])
    with pytest.raises(ToolError, match="no text"):
        _write(tool, ["a", " "])
    assert len(memory.record.todo) == 3  # a refused list changes nothing


def test_the_list_is_shown_recorded_and_survives_resume(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"calc.py": "def add(a, b):\n    return a - b\n"})
    s1 = write_script(tmp_path / "s1.jsonl", [
        {"content": "", "tool_calls": [call("todo", items=PLAN)]},
        {"content": "pausing"},
        {"content": "pausing with 2 items open"}])
    r = hame("-p", "fix calc", "--cwd", str(ws), "--model", f"scripted:{s1}", "--output-format", "json")
    assert r.returncode == 0 and CHECKLIST in r.stderr
    records = [json.loads(line) for line in Path(json.loads(r.stdout)["transcript"]).read_text().splitlines()]
    assert [x["items"] for x in records if x["type"] == "todo"] == [[{**i, "status": i.get("status", "pending")}
                                                                    for i in PLAN]]
    shown = f"{HEADER}\ntodo:\n1. [x] read calc.py\n2. [>] fix add()\n3. [ ] run the tests"
    assert requests_of(s1)[1]["messages"][-1]["content"] == shown

    s2 = write_script(tmp_path / "s2.jsonl", [
        {"content": "", "tool_calls": [call("remember", kind="done", note="run the tests")]},
        {"content": "", "tool_calls": [call("todo", items=[{**i, "status": "done"} for i in PLAN])]},
        {"content": "all done"}])
    r = hame("--resume", "latest", "-p", "carry on", "--cwd", str(ws), "--model", f"scripted:{s2}")
    assert r.returncode == 0 and r.stdout.strip() == "all done"
    reqs = requests_of(s2)
    assert len(reqs) == 3  # no reminder: nothing is open
    assert shown in [m.get("content") for m in reqs[0]["messages"]]
    assert reqs[1]["messages"][-2]["content"].startswith("Marked done: run the tests")
    assert reqs[1]["messages"][-1]["content"].endswith("2. [>] fix add()\n3. [x] run the tests")

    memory = repl(tmp_path / "state", ["/memory"], "--resume", "latest", "--cwd", str(ws), "--model", f"scripted:{s2}")
    assert "1. [x] read calc.py\n2. [x] fix add()\n3. [x] run the tests" in memory.stdout


def test_open_items_are_recalled_once_before_the_final_answer(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"calc.py": "x = 1\n"})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("todo", items=["write docs", {"text": "fix", "status": "done"}])]},
        {"content": "done"},
        {"content": "done; the docs are left for later"}])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["result"] == "done; the docs are left for later"
    reqs = requests_of(script)
    assert len(reqs) == 3
    reminder = reqs[2]["messages"][-1]
    assert reminder["role"] == "user" and reminder["content"].startswith(
        "1 item(s) of your todo list are still open:\n1. [ ] write docs\nFinish them before your final answer")
    assert "final answer not accepted yet: 1 item(s) of your todo list are still open" in r.stderr


def test_the_repl_prints_the_checklist(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {"calc.py": "x = 1\n"})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("todo", items=PLAN)]},
        {"content": "", "tool_calls": [call("todo", items=[{**i, "status": "done"} for i in PLAN])]},
        {"content": "finished"}])
    r = repl(tmp_path / "state", ["fix calc"], "--cwd", str(ws), "--model", f"scripted:{script}")
    assert r.returncode == 0, r.stderr
    assert CHECKLIST in r.stderr and "todo:\n  [x] read calc.py\n  [x] fix add()\n  [x] run the tests" in r.stderr
    assert "finished" in r.stdout
