"""Finding 5 of issue 29: shell forms that escaped deny rules or were allowed although the rules could not follow
them, and path rules that covered one tool but not its kin (search, edit/patch errors, apply_patch)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hame.permissions.rules import Rules

from ..conftest import call, make_workspace, requests_of, write_script

DENY_RM = Rules.from_strings(deny=["run_shell(rm *)"])
ALLOW_ECHO = Rules.from_strings(allow=["run_shell(echo *)"])


@pytest.mark.parametrize("command", ["bash -o errexit -c 'rm x'", "bash -c -- 'rm x'", "sh -ec 'rm x'",
                                     "bash +o history -c 'rm x'", "bash --norc -c 'rm x'"])
def test_shell_options_do_not_hide_a_denied_command(command: str) -> None:
    assert DENY_RM.decide("run_shell", {"command": command}, True, "full-auto").action == "deny"


@pytest.mark.parametrize("command", ["x='a[$(touch p)]'; echo $((x))", "x='$(touch p)'; echo ${x@P}",
                                     "echo ${!name}", "bash -c -- 'echo hi'", "x=1; echo ${a[x]}"])
@pytest.mark.parametrize("mode", ["ask", "full-auto"])
def test_expansions_the_rules_cannot_follow_are_never_allowed(command: str, mode: str) -> None:
    decision = ALLOW_ECHO.decide("run_shell", {"command": command}, True, mode)  # type: ignore[arg-type]
    assert decision.action == "ask" and "approval" in decision.reason
    explained = ALLOW_ECHO.explain(command, mode)  # type: ignore[arg-type]
    assert "decision: ask" in explained


def test_plain_arithmetic_and_echo_stay_allowed() -> None:
    assert ALLOW_ECHO.decide("run_shell", {"command": "echo $((1 + 2))"}, True, "ask").action == "allow"


def test_write_rules_cover_every_writer(tmp_path: Path) -> None:
    rules = Rules.from_strings(deny=["edit_file(secrets/**)"])
    patch = "*** Begin Patch\n*** Update File: secrets/k.txt\n@@\n-a\n+b\n*** End Patch\n"
    for tool, args in (("write_file", {"path": "secrets/k.txt"}), ("apply_patch", {"patch": patch})):
        assert rules.decide(tool, args, True, "full-auto", workspace=tmp_path).action == "deny", tool
    assert Rules.from_strings(deny=["write_file(secrets/**)"]).decide(
        "apply_patch", {"patch": patch}, True, "full-auto", workspace=tmp_path).action == "deny"


def test_read_rules_cover_writers_that_quote_the_file(tmp_path: Path) -> None:
    rules = Rules.from_strings(deny=["read_file(*.env)"])
    for tool in ("edit_file", "search", "list_files"):
        assert rules.decide(tool, {"path": "conf/.env"}, True, "full-auto", workspace=tmp_path).action == "deny"


def test_tools_obey_kin_rules_end_to_end(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {".env": "API=SECRET-VALUE-1\n", "a.py": "API = 1\n",
                                          "secrets/k.txt": "a\n"})
    (ws / ".hame").mkdir()
    (ws / ".hame/config.toml").write_text('[permissions]\ndeny = ["read_file(*.env)", "edit_file(secrets/**)"]\n')
    patch = "*** Begin Patch\n*** Update File: secrets/k.txt\n@@\n-a\n+b\n*** End Patch\n"
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("search", pattern="API")]},
        {"content": "", "tool_calls": [call("edit_file", path=".env", old_text="nothing like this",
                                            new_text="x")]},
        {"content": "", "tool_calls": [call("apply_patch", patch=patch)]},
        {"content": "done"},
    ])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}")
    assert r.returncode == 0, r.stderr
    outs = [m["content"] for m in requests_of(script)[-1]["messages"] if m["role"] == "tool"]
    assert "a.py" in outs[0] and "SECRET-VALUE-1" not in outs[0] and "left out" in outs[0]
    assert "denied" in outs[1] and "SECRET-VALUE-1" not in outs[1]
    assert "denied" in outs[2] and (ws / "secrets/k.txt").read_text() == "a\n"
