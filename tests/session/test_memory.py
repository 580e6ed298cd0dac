"""Working memory: the record itself (pure), and through the real CLI: shown by appending, kept across resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.errors import ToolError
from hame.session.memory import CAPS, HEADER, WorkingMemory, brief

from ..conftest import call, make_workspace, requests_of, write_script
from .support import repl


def _memory_messages(request: dict) -> list[str]:
    return [m["content"] for m in request["messages"] if str(m.get("content") or "").startswith(HEADER)]


def test_the_record_keeps_todo_decisions_and_notes_within_caps() -> None:
    changes: list[dict] = []
    m = WorkingMemory(changes.append)
    m.remember("read calc.py", "todo")
    m.remember("fix add()", "todo")
    assert "Marked done: fix add()" in m.remember("2", "done")
    m.remember("READ calc", "done")
    for i in range(CAPS["note"] + 3):
        m.remember(f"note {i}")
    m.remember("keep  the   API", "decision")
    assert brief(m.record).splitlines()[:3] == ["todo:", "1. [x] read calc.py", "2. [x] fix add()"]
    assert m.record.notes[0] == "note 3" and len(m.record.notes) == CAPS["note"]
    assert m.record.decisions == ["keep the API"]
    assert len(changes) == 2 + 2 + CAPS["note"] + 3 + 1 and changes[-1] == m.record.to_dict()


def test_a_bad_done_says_which_items_are_open() -> None:
    m = WorkingMemory()
    m.remember("run the tests", "todo")
    expected = r"(?s)No open todo item matches 'deploy'.*1\. run the tests.*note='<item number>'"
    with pytest.raises(ToolError, match=expected):
        m.remember("deploy", "done")
    with pytest.raises(ToolError, match="non-empty"):
        m.remember("   ")


def test_it_is_shown_only_when_what_the_model_saved_changed() -> None:
    m = WorkingMemory()
    assert m.pending_message() is None
    m.note_task("fix it")
    m.touch(["a.py"])
    assert m.pending_message() is None  # task and files are in the history already
    m.remember("tests are in tests/", "note")
    shown = m.pending_message()
    assert shown and shown["content"] == f"{HEADER}\nnotes:\n- tests are in tests/"
    assert m.pending_message() is None
    again = WorkingMemory()
    again.load([{"type": "memory", "memory": m.record.to_dict()}, {"type": "message", "message": shown}])
    assert again.record == m.record and again.pending_message() is None


def test_memory_is_appended_never_rewritten_and_survives_resume(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"calc.py": "def add(a, b):\n    return a - b\n"})
    s1 = write_script(tmp_path / "s1.jsonl", [
        {"content": "", "tool_calls": [call("remember", note="fix add() in calc.py", kind="todo")]},
        {"content": "", "tool_calls": [call("remember", note="keep the signature", kind="decision")]},
        {"content": "", "tool_calls": [call("read_file", path="calc.py")]},
        {"content": "stopping here"},
        {"content": "stopping here; the todo item is left"}])  # the first answer is reminded of the open item
    assert hame("-p", "fix calc", "--cwd", str(ws), "--model", f"scripted:{s1}").returncode == 0
    reqs = requests_of(s1)
    memory_msgs = _memory_messages(reqs[-1])
    assert len(memory_msgs) == 2 and "keep the signature" in memory_msgs[1]  # once per change, not per turn

    s2 = write_script(tmp_path / "s2.jsonl", [
        {"content": "", "tool_calls": [call("remember", note="1", kind="done")]},
        {"content": "done"}])
    r = hame("--resume", "latest", "-p", "carry on", "--cwd", str(ws), "--model", f"scripted:{s2}")
    assert r.returncode == 0, r.stderr
    all_reqs = reqs + requests_of(s2)
    for a, b in zip(all_reqs, all_reqs[1:], strict=False):
        assert b["messages"][: len(a["messages"])] == a["messages"]  # append-only, across the resume too
    expected = f"{HEADER}\ntodo:\n1. [x] fix add() in calc.py\ndecisions:\n- keep the signature"
    assert _memory_messages(all_reqs[-1])[-1] == expected

    shown = repl(tmp_path / "state", ["/memory", "/session"], "--resume", "latest", "--cwd", str(ws),
                 "--model", f"scripted:{s2}")
    assert "task: fix calc" in shown.stdout and "[x] fix add() in calc.py" in shown.stdout
    assert "files touched" not in shown.stdout and "Memory: 0 notes, 1 decisions" in shown.stdout
    tools = {t["function"]["name"] for t in reqs[0]["tools"]}
    assert "remember" in tools and json.dumps(reqs[0]["tools"]).count("kind") >= 1
