"""The REPL in a real terminal (tmux): saving an "always" rule with one key names the file, `/reset` starts a
real new session with a clean status line, `/undo` after a shell-only step undoes the last file change."""

from __future__ import annotations

import re
from pathlib import Path

from ..conftest import call, write_script
from .test_repl_tmux import prompt_ready, repl  # noqa: F401  (the fixture)


def status(screen: str) -> str:
    return (screen.rstrip().splitlines() or [""])[-1]


def test_s_saves_the_rule_at_once_and_says_where(tmp_path: Path, repl) -> None:  # noqa: F811
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("write_file", path="hello.txt", content="hi\n")]},
        {"content": "Wrote it."},
    ])
    term = repl(script, "--approval", "ask")
    term.type("write hello")
    term.keys("Enter")
    term.wait_for("Run it?")
    term.type("s")
    screen = term.wait_for("Wrote it.")
    config = tmp_path / "ws" / ".hame" / "config.toml"
    assert "saved the rule" in screen and str(config) in screen.replace("\n", "")
    assert "write_file" in config.read_text() and (tmp_path / "ws" / "hello.txt").read_text() == "hi\n"


def test_reset_clears_the_status_line_and_writes_the_new_session(tmp_path: Path, state_dir: Path,
                                                                 repl) -> None:  # noqa: F811
    script = write_script(tmp_path / "s.jsonl", [{"content": "", "tool_calls": [call("list_files")]},
                                                 {"content": "Listed."}])
    term = repl(script, "--approval", "full-auto")
    term.type("list the files")
    term.keys("Enter")
    before = status(prompt_ready(term, 2))
    assert " 0 tok" not in before
    term.type("/reset")
    term.keys("Enter")
    screen = prompt_ready(term, 0)
    new_id = re.search(r"new session (\S+)", screen).group(1)  # type: ignore[union-attr]
    assert " 0 steps · 0 tok · " in status(screen) and re.search(r"ctx [1-9]", status(screen)) is None
    assert (state_dir / "sessions" / f"{new_id}.jsonl").is_file()
    term.type("/resume")
    term.keys("Enter")
    assert new_id in term.wait_for("/resume ID")


def test_undo_after_a_shell_only_step_undoes_the_last_file_change(tmp_path: Path, repl) -> None:  # noqa: F811
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("write_file", path="new.txt", content="x\n")]},
        {"content": "", "tool_calls": [call("run_shell", command="echo checked")]},
        {"content": "Done."},
    ])
    term = repl(script, "--approval", "full-auto")
    term.type("make new.txt")
    term.keys("Enter")
    prompt_ready(term, 3)
    assert (tmp_path / "ws" / "new.txt").exists()
    term.type("/undo")
    term.keys("Enter")
    screen = term.wait_for("restored the files to before step 1")
    assert "nothing changed" not in screen and not (tmp_path / "ws" / "new.txt").exists()
    term.type("/undo")
    term.keys("Enter")
    term.wait_for("nothing to undo")


def test_a_positional_task_runs_first_in_the_terminal_repl(tmp_path: Path, state_dir: Path) -> None:
    import sys

    from ..conftest import make_workspace
    from .tmux import Tmux

    ws = make_workspace(tmp_path / "ws", {"a.py": "x = 1\n"})
    script = write_script(tmp_path / "s.jsonl", [{"content": "It sets x."}])
    env = {"HAME_STATE_DIR": str(state_dir), "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HAME_MODEL": ""}
    term = Tmux([sys.executable, "-m", "hame", "what does a.py do", "--model", f"scripted:{script}"], ws, env)
    try:
        screen = prompt_ready(term, 1)  # answered, and back at the prompt for the next request
        assert "It sets x." in screen
    finally:
        term.close()
