"""Finding 1 of issue 29: file tools wrote `.git/hooks`, `.git/config` and `.hame/config.toml` in full-auto, and
the next start ran the planted fsmonitor command through hame's own `git status`. Every tool is refused there now,
in every mode, and hame's git calls run no fsmonitor or hook."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hame.context.git import run_git
from hame.sandbox.protected import protected_reason

from ..conftest import call, make_workspace, requests_of, write_script

FSMONITOR = "[core]\n\tfsmonitor = \"touch PWNED_FSMONITOR\"\n"
HOOK_CONFIG = '[[hooks.session_start]]\ncommand = "touch PWNED_HOOK"\n'


def tool_outputs(script: Path) -> list[str]:
    return [m["content"] for m in requests_of(script)[-1]["messages"] if m["role"] == "tool"]


@pytest.mark.parametrize("mode", ["full-auto", "auto-edit"])
def test_file_tools_cannot_plant_code_that_runs_outside_the_sandbox(tmp_path: Path, hame, mode: str) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.py": "x = 1\n"})
    hook = "#!/bin/sh\ntouch PWNED_PUSH\n"
    patch = "*** Begin Patch\n*** Add File: .hame/config.toml\n" + "".join(
        f"+{line}\n" for line in HOOK_CONFIG.splitlines()) + "*** End Patch\n"
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("write_file", path=".git/hooks/pre-push", content=hook)]},
        {"content": "", "tool_calls": [call("write_file", path=".git/config", content=FSMONITOR)]},
        {"content": "", "tool_calls": [call("write_file", path=".hame/config.toml", content=HOOK_CONFIG)]},
        {"content": "", "tool_calls": [call("apply_patch", patch=patch)]},
        {"content": "", "tool_calls": [call("edit_file", path=".git/HEAD", old_text="main", new_text="x")]},
        {"content": "done"},
    ])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--approval", mode)
    assert r.returncode == 0, r.stderr
    outputs = tool_outputs(script)
    assert len(outputs) == 5 and all(out.startswith("Error: Refused") for out in outputs)
    protected = [out for out in outputs if "is protected" in out and "no tool may change it" in out]
    assert len(protected) == 5
    assert not (ws / ".git/hooks/pre-push").exists() and not (ws / ".hame").exists()
    assert "fsmonitor" not in (ws / ".git/config").read_text()
    assert "main" in (ws / ".git/HEAD").read_text()


def test_git_dir_copies_and_pointers_are_protected(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.py": "x = 1\n"})
    subprocess.run(["cp", "-a", str(ws / ".git"), str(ws / "backup")], check=True)
    assert protected_reason(ws, ws / "backup/hooks/pre-push")  # a copy, judged by content
    real_git = tmp_path / "elsewhere.git"
    subprocess.run(["git", "init", "-q", "--bare", str(real_git)], check=True)
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / ".git").write_text(f"gitdir: {real_git}\n")
    assert protected_reason(linked, real_git / "hooks/pre-commit")
    assert protected_reason(linked, linked / ".git")
    assert protected_reason(ws, ws / "src/.hame/config.toml")
    assert protected_reason(ws, ws / "a.py") is None


def test_hame_git_calls_run_no_fsmonitor(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.py": "x = 1\n"})
    with (ws / ".git/config").open("a") as fh:
        fh.write(FSMONITOR)
    (ws / "b.py").write_text("y = 2\n")
    assert "b.py" in (run_git(ws, "status", "--short") or "")
    assert not (ws / "PWNED_FSMONITOR").exists()
