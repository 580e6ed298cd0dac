"""What a new user tries first: help, a positional task, bad flag values, resuming elsewhere, piped tasks, a
server that is not running."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..conftest import call, make_workspace, write_script
from .test_cli_scripted import CALC


def _piped(state_dir: Path, text: str, *args: str) -> subprocess.CompletedProcess:
    """The real CLI with `text` on a piped (non-terminal) stdin."""
    env = {**os.environ, "HAME_STATE_DIR": str(state_dir), "XDG_CONFIG_HOME": str(state_dir.parent / "xdg")}
    for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HAME_MODEL", "HAME_APPROVAL"):
        env.pop(k, None)
    return subprocess.run([sys.executable, "-m", "hame", *args], input=text, capture_output=True, text=True,
                          timeout=60, env=env)


def test_help_lists_the_subcommands(hame) -> None:
    r = hame("--help")
    assert r.returncode == 0
    for name in ("config", "sessions", "rewind", "export", "map", "permissions explain", "serve-model", "bench"):
        assert f"hame {name}" in r.stdout
    assert 'hame "TASK" starts the REPL' in r.stdout


def test_a_positional_task_starts_the_repl_with_it(tmp_path: Path, state_dir: Path) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [{"content": "First answer."}, {"content": "Second answer."}])
    r = _piped(state_dir, "and then this\n", "explain calc.py", "--cwd", str(ws), "--model", f"scripted:{script}")
    assert r.returncode == 0, r.stderr
    assert "First answer." in r.stdout and "Second answer." in r.stdout
    requests = [json.loads(line) for line in Path(f"{script}.requests.jsonl").read_text().splitlines()]
    assert requests[0]["messages"][-1]["content"].startswith("explain calc.py")


def test_an_empty_or_blank_prompt_is_a_usage_error(hame) -> None:
    for prompt in ("", "   \n"):
        r = hame("-p", prompt, "--model", "scripted:x", "--approval", "full-auto")
        assert r.returncode == 2 and "-p needs a task" in r.stderr


def test_a_task_given_twice_is_a_usage_error(hame) -> None:
    r = hame("fix it", "-p", "fix it", "--model", "scripted:x")
    assert r.returncode == 2 and "give the task once" in r.stderr


def test_resuming_a_session_from_another_workspace_is_refused(tmp_path: Path, hame) -> None:
    first, other = make_workspace(tmp_path / "a", CALC), make_workspace(tmp_path / "b", CALC)
    script = write_script(tmp_path / "s.jsonl", [{"content": "ok"}, {"content": "again"}])
    out = json.loads(hame("-p", "x", "--cwd", str(first), "--model", f"scripted:{script}",
                          "--output-format", "json").stdout)
    r = hame("-p", "y", "--cwd", str(other), "--model", f"scripted:{script}", "--resume", out["session_id"])
    assert r.returncode == 2
    assert f"belongs to workspace {os.path.realpath(first)}" in r.stderr and f"--cwd {first}" in r.stderr
    assert hame("-p", "y", "--cwd", str(first), "--model", f"scripted:{script}",
                "--resume", out["session_id"][:8]).returncode == 0


def test_config_with_a_server_model_and_no_url_or_key_exits_2_like_a_run(hame) -> None:
    r = hame("config", "--model", "openai:gpt-4o")
    assert r.returncode == 2 and "needs --base-url" in r.stdout
    run = hame("-p", "x", "--model", "openai:gpt-4o")
    assert run.returncode == 2 and "needs --base-url" in run.stderr
    assert hame("config", "--model", "openai:gpt-4o", "--base-url", "http://127.0.0.1:9/v1").returncode == 0


def test_map_refuses_a_missing_directory_and_a_budget_below_1(tmp_path: Path, hame) -> None:
    r = hame("map", "--cwd", str(tmp_path / "nonexistent"))
    assert r.returncode == 2 and "is not a directory" in r.stderr
    for budget in ("0", "-5"):
        r = hame("map", "--cwd", str(tmp_path), "--budget", budget)
        assert r.returncode == 2 and "--budget must be a positive number" in r.stderr


def test_export_outside_a_workspace_with_sessions_says_what_to_do(tmp_path: Path, hame) -> None:
    r = hame("export", "latest", cwd=tmp_path)
    assert r.returncode == 2
    assert "no session of workspace" in r.stderr and "hame sessions --all" in r.stderr and "resume" not in r.stderr


def test_piped_tasks_under_ask_name_the_approval_flag(tmp_path: Path, state_dir: Path) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("write_file", path="new.py", content="x = 1\n")]}, {"content": "ok"}])
    r = _piped(state_dir, "write new.py\n", "--cwd", str(ws), "--model", f"scripted:{script}")
    assert r.returncode == 0, r.stderr
    assert "--approval full-auto" in r.stderr and not (ws / "new.py").exists()


def test_a_refused_connection_fails_at_once_with_one_message(tmp_path: Path, hame) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    ws = make_workspace(tmp_path / "ws", CALC)
    start = time.monotonic()
    r = hame("-p", "x", "--cwd", str(ws), "--model", "openai:m", "--base-url", f"http://127.0.0.1:{port}/v1")
    assert r.returncode == 1
    assert time.monotonic() - start < 10 and "retrying" not in r.stderr
    assert r.stderr.count("cannot reach the model server") == 1, r.stderr
