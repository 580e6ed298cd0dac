"""Approval modes through the real CLI with the scripted model."""

from __future__ import annotations

import json
from pathlib import Path

from hame.permissions.approval import Answer, Gatekeeper, Question
from hame.permissions.rules import Rules
from hame.tools.run_shell import RunShell
from hame.tools.write_file import WriteFile

from ..conftest import call, make_workspace, requests_of, write_script

TURNS = [
    {"content": "", "tool_calls": [call("edit_file", path="a.txt", old_text="original", new_text="changed")]},
    {"content": "", "tool_calls": [call("write_file", path="new.txt", content="x\n")]},
    {"content": "", "tool_calls": [call("run_shell", command="echo hi > b.txt")]},
    {"content": "", "tool_calls": [call("read_file", path="a.txt")]},
    {"content": "done"},
]


def tool_outputs(script: Path) -> list[str]:
    return [m["content"] for m in requests_of(script)[-1]["messages"] if m["role"] == "tool"]


def test_read_only_refuses_every_mutating_tool(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "original\n"})
    script = write_script(tmp_path / "s.jsonl", TURNS)
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--approval", "read-only")
    assert r.returncode == 0, r.stderr
    assert (ws / "a.txt").read_text() == "original\n"
    assert not (ws / "new.txt").exists() and not (ws / "b.txt").exists()
    out = tool_outputs(script)
    assert all("read-only mode" in o for o in out[:3])
    assert "original" in out[3]


def test_ask_mode_headless_refuses_cleanly_instead_of_hanging(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "original\n"})
    script = write_script(tmp_path / "s.jsonl", TURNS)
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--approval", "ask",
             "--output-format", "json", timeout=30)
    assert r.returncode == 0 and json.loads(r.stdout)["stop_reason"] == "completed"
    assert (ws / "a.txt").read_text() == "original\n" and not (ws / "b.txt").exists()
    assert all("nobody can approve it" in o for o in tool_outputs(script)[:3])


def test_auto_edit_runs_edits_but_asks_for_shell(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "original\n"})
    script = write_script(tmp_path / "s.jsonl", TURNS)
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--approval", "auto-edit")
    assert r.returncode == 0, r.stderr
    assert (ws / "a.txt").read_text() == "changed\n" and (ws / "new.txt").exists()
    assert not (ws / "b.txt").exists()


def test_deny_rule_from_project_config_wins_in_full_auto(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "original\n", ".hame/config.toml":
                                          '[permissions]\ndeny = ["run_shell(echo *)", "write_file(new.txt)"]\n'})
    script = write_script(tmp_path / "s.jsonl", TURNS)
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--approval", "full-auto")
    assert r.returncode == 0, r.stderr
    assert (ws / "a.txt").read_text() == "changed\n"
    assert not (ws / "new.txt").exists() and not (ws / "b.txt").exists()
    out = tool_outputs(script)
    assert "denied by the rule write_file(new.txt)" in out[1] and "denied by the rule run_shell(echo *)" in out[2]


def test_gatekeeper_answers_no_always_and_save(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "x\n"}, git=False)
    answers = [Answer("no", "too risky"), Answer("always-save"), Answer("yes")]
    asked: list[Question] = []

    def asker(q: Question) -> Answer:
        asked.append(q)
        return answers.pop(0)

    gate = Gatekeeper(Rules(), "ask", ws, asker=asker, project_config=ws / ".hame" / "config.toml")
    shell, write = RunShell(), WriteFile()
    assert gate(shell, {"command": "git status"}) == "The user declined this run_shell call. Their reason: too risky"
    assert gate(shell, {"command": "git status --short"}) is None
    assert gate(shell, {"command": "git status"}) is None  # allowed by the saved rule, not asked
    assert len(asked) == 2 and asked[0].preview == "$ git status"
    assert 'allow = ["run_shell(git status *)"]' in (ws / ".hame/config.toml").read_text()
    assert gate(write, {"path": "a.txt", "content": "y\n"}) is None
    assert "-x\n+y\n" in asked[2].preview


def test_missing_sandbox_makes_full_auto_shell_ask(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {}, git=False)
    gate = Gatekeeper(Rules(), "full-auto", ws, shell_needs_approval="the sandbox is unavailable (test)")
    refusal = gate(RunShell(), {"command": "ls"})
    assert refusal and "sandbox is unavailable" in refusal
    assert gate(WriteFile(), {"path": "f", "content": ""}) is None
