"""The interactive REPL in a real terminal (tmux), driven by the scripted model: streaming Markdown answers,
tool calls with colored diffs, the status line, slash-command completion, multi-line input, history, approval
with a diff, Ctrl-C that stops a step but not the session, Ctrl-D that quits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import call, make_workspace, requests_of, write_script
from .tmux import Tmux

CALC = {"calc.py": "def add(a, b):\n    return a - b\n"}


@pytest.fixture
def repl(tmp_path: Path, state_dir: Path) -> Iterator:
    sessions: list[Tmux] = []

    def start(script: Path, *flags: str) -> Tmux:
        ws = tmp_path / "ws" if (tmp_path / "ws").exists() else make_workspace(tmp_path / "ws", CALC)
        env = {"HAME_STATE_DIR": str(state_dir), "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HAME_MODEL": ""}
        term = Tmux([sys.executable, "-m", "hame", "--model", f"scripted:{script}", "--sandbox", "none", *flags],
                    ws, env)
        sessions.append(term)
        prompt_ready(term, 0)
        return term

    yield start
    for term in sessions:
        term.close()


def prompt_ready(term: Tmux, steps: int) -> str:
    """Wait for the input line: its status line (shown only while the REPL waits for input) below it."""
    return term.wait_for(lambda screen: f" {steps} steps · " in (screen.rstrip().splitlines() or [""])[-1])


def running(marker: str) -> bool:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker.encode() in cmdline.read_bytes():
                return True
        except OSError:
            pass
    return False


def user_messages(script: Path) -> list[str]:
    return [m["content"] for m in requests_of(script)[-1]["messages"] if m["role"] == "user"]


def test_a_task_streams_markdown_shows_diffs_and_the_status_line(tmp_path: Path, repl) -> None:
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "Reading it.", "tool_calls": [call("read_file", path="calc.py")]},
        {"content": "", "tool_calls": [call("edit_file", path="calc.py", old_text="return a - b",
                                            new_text="return a + b")]},
        {"content": "**Fixed** `add()`:\n\n- it subtracted\n- now it adds"},
    ])
    term = repl(script, "--approval", "full-auto")
    term.type("fix the bug")
    term.keys("Enter")
    term.wait_for("now it adds")
    screen = prompt_ready(term, 3)
    assert "● read_file" in screen and "● edit_file" in screen and "Reading it." in screen
    assert "-    return a - b" in screen and "+    return a + b" in screen
    assert "Fixed add():" in screen and "**" not in screen and "• it subtracted" in screen
    status = screen.rstrip().splitlines()[-1]
    assert f"scripted:{script}" in status and "3 steps" in status and "tok · $0.0000 · ctx" in status
    colored = term.screen(colors=True)
    assert "\x1b[32m+    return a + b" in colored and "\x1b[31m-    return a - b" in colored


def test_completion_multiline_input_history_and_ctrl_d(tmp_path: Path, state_dir: Path, repl) -> None:
    script = write_script(tmp_path / "s.jsonl", [{"content": "got three lines"}])
    term = repl(script)
    term.type("/mem")
    term.wait_for("show the working memory")  # the completion menu, with the command's help
    term.keys("Tab")
    term.keys("Enter")
    term.wait_for("(empty)")
    term.type("first line\\")
    term.keys("Enter")
    term.type("second")
    term.keys("Escape", "Enter")
    term.type("third")
    term.keys("Enter")
    term.wait_for("got three lines")
    prompt_ready(term, 1)
    assert user_messages(script)[-1] == "first line\nsecond\nthird"
    history = (state_dir / "history").read_text()
    assert "+/memory" in history and "+first line\n+second\n+third" in history
    term.keys("C-d")
    term.wait_for("EXITED:0")


def test_ctrl_c_stops_a_long_shell_step_and_the_session_goes_on(tmp_path: Path, repl) -> None:
    marker = uuid.uuid4().hex
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("run_shell", command=f"sleep 120 && echo {marker}")]},
        {"content": "back at it"},
    ])
    term = repl(script, "--approval", "full-auto")
    term.type("wait for it")
    term.keys("Enter")
    term.wait_for("running run_shell")  # the spinner
    term.keys("C-c")
    term.wait_for("interrupted")
    prompt_ready(term, 1)
    assert not running(marker)  # the shell command was killed with the step
    term.type("carry on")
    term.keys("Enter")
    term.wait_for("back at it")
    tool = [m for m in requests_of(script)[-1]["messages"] if m["role"] == "tool"]
    assert len(tool) == 1 and "interrupted" in tool[0]["content"]
    assert user_messages(script)[-1] == "carry on"


def test_approval_shows_the_change_as_a_colored_diff(tmp_path: Path, repl) -> None:
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("write_file", path="hello.txt", content="hi\nthere\n")]},
        {"content": "Wrote it."},
    ])
    term = repl(script, "--approval", "ask")
    term.type("write hello")
    term.keys("Enter")
    colored = term.wait_for("Run it?", colors=True)
    assert "write_file needs approval" in colored and "\x1b[32m+hi" in colored
    term.type("y")  # one key answers: no Enter
    screen = term.wait_for("Wrote it.")
    assert screen.count("+there") == 1  # an approved change is not shown twice
    assert (tmp_path / "ws" / "hello.txt").read_text() == "hi\nthere\n"


def test_without_a_terminal_the_repl_reads_plain_lines(tmp_path: Path, state_dir: Path) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [{"content": "plain answer"}])
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("HAME_", "OPENAI_"))},
           "HAME_STATE_DIR": str(state_dir), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    r = subprocess.run([sys.executable, "-m", "hame", "--cwd", str(ws), "--model", f"scripted:{script}"],
                       input="do it\n/memory\n", capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    assert "plain answer" in r.stdout and "task: do it" in r.stdout
    assert json.loads(Path(str(script) + ".requests.jsonl").read_text().splitlines()[0])["messages"]
