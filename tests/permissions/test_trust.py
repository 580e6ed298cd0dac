"""Trusted workspaces: a workspace's hooks, stdio MCP servers and sandbox settings take effect only after the user
trusts that file's content (`--trust` headless, a question in the REPL); a changed file needs trust again."""

from __future__ import annotations

import json
from pathlib import Path

from hame.permissions.approval import Answer, Question
from hame.permissions.trust import is_trusted, require_trust

from ..conftest import make_workspace, write_script

HOOK = '[[hooks.session_start]]\ncommand = "touch HOOK_RAN"\n'


def test_headless_refuses_an_untrusted_hook_then_runs_it_with_trust(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": HOOK})
    script = write_script(tmp_path / "s.jsonl", [{"content": "done"}, {"content": "done"}, {"content": "done"}])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}")
    assert r.returncode == 2 and "--trust" in r.stderr and "[hooks]" in r.stderr
    assert not (ws / "HOOK_RAN").exists()
    assert hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--trust").returncode == 0
    assert (ws / "HOOK_RAN").exists()
    (ws / "HOOK_RAN").unlink()
    assert hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}").returncode == 0  # remembered
    assert (ws / "HOOK_RAN").exists()


def test_a_changed_file_needs_trust_again(tmp_path: Path, state_dir: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": HOOK}, git=False)
    asked: list[Question] = []

    def yes(question: Question) -> Answer:
        asked.append(question)
        return Answer("yes")

    require_trust(ws, trusted_flag=False, asker=yes)
    assert len(asked) == 1 and "touch HOOK_RAN" in asked[0].preview and is_trusted(ws)
    require_trust(ws, trusted_flag=False, asker=yes)
    assert len(asked) == 1
    (ws / ".hame/config.toml").write_text(HOOK.replace("HOOK_RAN", "OTHER"))
    assert not is_trusted(ws)
    try:
        require_trust(ws, trusted_flag=False, asker=lambda q: Answer("no"))
    except Exception as exc:
        assert "--trust" in str(exc)
    else:
        raise AssertionError("an untrusted change was accepted")
    assert json.loads((state_dir / "trusted-workspaces.json").read_text())


def test_plain_permissions_need_no_trust(tmp_path: Path, state_dir: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": '[permissions]\ndeny = ["run_shell(rm *)"]\n'},
                        git=False)
    require_trust(ws, trusted_flag=False, asker=None)  # nothing to trust: no error


def test_sandbox_env_from_a_trusted_config_reaches_commands(tmp_path: Path, hame) -> None:
    from ..conftest import call, requests_of

    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": 'sandbox_env = ["MY_DSN"]\n'})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("run_shell", command='echo "[$MY_DSN][$OTHER_URL]"')]},
        {"content": "done"},
    ])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--trust",
             env={"MY_DSN": "kept", "OTHER_URL": "dropped"})
    assert r.returncode == 0, r.stderr
    out = [m["content"] for m in requests_of(script)[-1]["messages"] if m["role"] == "tool"][0]
    assert "[kept][]" in out
