"""Hooks: real commands run through the shell on agent events; pre_tool ones can block a call."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import pytest

from hame.errors import UsageError
from hame.events import EventBus, Notice
from hame.hooks import Hooks
from hame.tools.read_file import ReadFile
from hame.tools.run_shell import RunShell

from .conftest import call, make_workspace, write_script

HOOK = """\
import json, os, sys, time
event = json.load(sys.stdin)
event["cwd"] = os.getcwd()
event["env_event"] = os.environ.get("HAME_HOOK_EVENT")
with open(sys.argv[2], "a") as f:
    f.write(json.dumps(event) + "\\n")
mode = sys.argv[1]
if mode == "exit2":
    print("no shell commands in this repo", file=sys.stderr)
    sys.exit(2)
if mode == "json":
    print(json.dumps({"decision": "block", "reason": "use read_file instead"}))
if mode == "crash":
    print("the hook broke", file=sys.stderr)
    sys.exit(1)
if mode == "sleep":
    time.sleep(30)
"""


def hook_command(tmp_path: Path, mode: str) -> str:
    script = tmp_path / "hook.py"
    script.write_text(HOOK)
    return " ".join(shlex.quote(p) for p in (sys.executable, str(script), mode, str(tmp_path / "hooks.log")))


def logged(tmp_path: Path) -> list[dict]:
    log = tmp_path / "hooks.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def make_hooks(tmp_path: Path, table: dict) -> tuple[Hooks, list[str]]:
    bus = EventBus()
    notices: list[str] = []
    bus.subscribe(lambda e: notices.append(e.text) if isinstance(e, Notice) else None)
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    return Hooks.from_config(table, ws, bus), notices


def test_exit_code_2_blocks_with_stderr_as_the_reason(tmp_path: Path) -> None:
    hooks, notices = make_hooks(tmp_path, {"pre_tool": [{"match": "run_shell", "command": hook_command(tmp_path,
                                                                                                        "exit2")}]})
    refusal = hooks.pre_tool("run_shell", {"command": "rm -rf build"})
    assert refusal == "A pre_tool hook blocked this run_shell call: no shell commands in this repo"
    event = logged(tmp_path)[0]
    assert event["event"] == "pre_tool" and event["env_event"] == "pre_tool"
    assert event["tool"] == "run_shell" and event["arguments"] == {"command": "rm -rf build"}
    assert event["cwd"] == event["workspace"] == str(tmp_path / "ws") and notices == []
    assert hooks.pre_tool("read_file", {"path": "a"}) is None and len(logged(tmp_path)) == 1  # not matched


def test_json_decision_blocks_and_globs_match_alternatives(tmp_path: Path) -> None:
    spec = {"match": "run_shell|write_*", "command": hook_command(tmp_path, "json")}
    hooks, _ = make_hooks(tmp_path, {"pre_tool": [spec]})
    assert hooks.pre_tool("write_file", {"path": "a"}) == "A pre_tool hook blocked this write_file call: " \
                                                          "use read_file instead"
    assert hooks.pre_tool("edit_file", {"path": "a"}) is None


def test_failures_are_notices_and_let_the_call_through(tmp_path: Path) -> None:
    table = {"pre_tool": [{"command": hook_command(tmp_path, "crash")},
                          {"command": hook_command(tmp_path, "sleep"), "timeout": 0.5},
                          {"command": "no-such-hook-command-xyz"}]}
    hooks, notices = make_hooks(tmp_path, table)
    began = time.time()
    assert hooks.pre_tool("read_file", {"path": "a"}) is None
    assert time.time() - began < 10
    assert "exited with code 1: the hook broke" in notices[0]
    assert "timed out after 0.5s" in notices[1]
    assert "exited with code 127" in notices[2] and "not found" in notices[2]


def test_hooks_run_before_the_permission_gate(tmp_path: Path) -> None:
    asked: list[str] = []

    def gatekeeper(tool, args):  # the inner gate: records that it was consulted
        asked.append(tool.name)
        return "denied by rules" if tool.name == "read_file" else None

    hooks, _ = make_hooks(tmp_path, {"pre_tool": [{"match": "run_shell", "command": hook_command(tmp_path,
                                                                                                   "exit2")}]})
    gate = hooks.gate(gatekeeper)
    assert gate is not None
    assert "no shell commands" in (gate(RunShell(), {"command": "ls"}) or "") and asked == []
    assert gate(ReadFile(), {"path": "a"}) == "denied by rules" and asked == ["read_file"]
    no_hooks, _ = make_hooks(tmp_path, {})
    assert no_hooks.gate(gatekeeper) is gatekeeper


def test_bad_hook_config_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\[hooks\]: pre_tool.0.command: Field required"):
        make_hooks(tmp_path, {"pre_tool": [{"match": "x"}]})
    with pytest.raises(UsageError, match=r"\[hooks\]: pre_toll: Extra inputs"):
        make_hooks(tmp_path, {"pre_toll": []})


def test_hooks_through_the_cli(tmp_path: Path, hame) -> None:
    cmd = json.dumps
    config = (f'[[hooks.pre_tool]]\nmatch = "run_shell"\ncommand = {cmd(hook_command(tmp_path, "exit2"))}\n'
              f'[[hooks.post_tool]]\ncommand = {cmd(hook_command(tmp_path, "pass"))}\n'
              f'[[hooks.session_start]]\ncommand = {cmd(hook_command(tmp_path, "pass"))}\n'
              f'[[hooks.final]]\ncommand = {cmd(hook_command(tmp_path, "crash"))}\n')
    ws = make_workspace(tmp_path / "ws", {"a.txt": "hello\n", ".hame/config.toml": config})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("run_shell", command="touch made-by-shell")]},
        {"content": "", "tool_calls": [call("read_file", path="a.txt")]},
        {"content": "done"},
    ])
    r = hame("-p", "go", "--cwd", str(ws), "--model", f"scripted:{script}", "--output-format", "json",
             "--sandbox", "none", "--trust")
    assert r.returncode == 0, r.stderr
    assert not (ws / "made-by-shell").exists()
    events = logged(tmp_path)
    assert [e["event"] for e in events] == ["session_start", "pre_tool", "post_tool", "post_tool", "final"]
    session = json.loads(r.stdout)["session_id"]
    assert events[0]["session_id"] == session and events[0]["model"].startswith("scripted:")
    blocked, read = events[2], events[3]
    assert blocked["tool"] == "run_shell" and not blocked["ok"] and "no shell commands" in blocked["output"]
    assert read["tool"] == "read_file" and read["arguments"] == {"path": "a.txt"} and "hello" in read["output"]
    assert events[4]["result"] == "done" and events[4]["stop_reason"] == "completed"
    assert "final hook" in r.stderr and "the hook broke" in r.stderr
