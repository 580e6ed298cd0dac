"""Findings 7 and 8 of issue 29 on resume: damaged transcript lines are skipped with a notice, and a kill between
the two tool messages of one turn is repaired so the resumed request has one tool message per call."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import call, make_workspace, write_script
from .support import complete_requests, transcript_of


def _session(tmp_path: Path, hame) -> tuple[Path, Path]:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "A\n", "b.txt": "B\n"})
    s1 = write_script(tmp_path / "s1.jsonl", [
        {"content": "", "tool_calls": [call("read_file", path="a.txt"), call("read_file", path="b.txt")]},
        {"content": "done"}])
    assert hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{s1}").returncode == 0
    return ws, transcript_of(tmp_path / "state")


def _one_result_per_call(messages: list[dict]) -> None:
    ids = [c["id"] for m in messages for c in m.get("tool_calls") or []]
    assert sorted(ids) == sorted(m["tool_call_id"] for m in messages if m["role"] == "tool")
    for i, m in enumerate(messages):  # every assistant turn with calls is followed by exactly its results
        if m.get("tool_calls"):
            follow = [x["tool_call_id"] for x in messages[i + 1 : i + 1 + len(m["tool_calls"])]
                      if x["role"] == "tool"]
            assert sorted(follow) == sorted(c["id"] for c in m["tool_calls"])


def test_kill_between_two_tool_messages_is_repaired(tmp_path: Path, hame) -> None:
    ws, path = _session(tmp_path, hame)
    lines = path.read_text().splitlines(keepends=True)
    tool_msgs = [i for i, line in enumerate(lines)
                 if json.loads(line).get("type") == "message" and json.loads(line)["message"]["role"] == "tool"]
    path.write_text("".join(lines[: tool_msgs[1]]))  # killed after the first tool message was written
    s2 = write_script(tmp_path / "s2.jsonl", [{"content": "ok"}])
    r = hame("--resume", "latest", "-p", "go on", "--cwd", str(ws), "--model", f"scripted:{s2}")
    assert r.returncode == 0, r.stderr
    messages = complete_requests(s2)[0]["messages"]
    _one_result_per_call(messages)
    assert "B" in [m for m in messages if m["role"] == "tool"][1]["content"]  # the computed result, not re-run


def test_damaged_lines_are_skipped_with_a_notice(tmp_path: Path, hame) -> None:
    ws, path = _session(tmp_path, hame)
    with path.open("a") as fh:
        fh.write("[1, 2]\n")
        fh.write(json.dumps({"type": "message", "step": 9}) + "\n")
        fh.write('"just a string"\n')
    s2 = write_script(tmp_path / "s2.jsonl", [{"content": "ok"}])
    r = hame("--resume", "latest", "-p", "go on", "--cwd", str(ws), "--model", f"scripted:{s2}")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "skipped 3 damaged transcript record(s)" in r.stderr
    _one_result_per_call(complete_requests(s2)[0]["messages"])
