"""`/undo` then `/compact` in the REPL (stdin piped): the fallback summary names the session's task, not the
latest message, and does not list the files the undo put back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..conftest import call, make_workspace, requests_of, write_script


def test_fallback_summary_names_the_first_task_and_not_undone_files(tmp_path: Path, state_dir: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {"app.py": "x = 1\n"})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("write_file", path="kept.txt", content="k\n")]}, {"content": "Made it."},
        {"content": "", "tool_calls": [call("write_file", path="undone.txt", content="u\n")]}, {"content": "Also."},
        {"content": "One."}, {"content": "Two."},
        {"content": ""},  # /compact's summary request: an empty reply, so the fallback summary is used
        {"content": "Still here."},
    ])
    env = {**os.environ, "HAME_STATE_DIR": str(state_dir), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    lines = "create kept.txt please\ncreate undone.txt\none\ntwo\n/undo\n/compact\nand now?\n"
    r = subprocess.run([sys.executable, "-m", "hame", "--cwd", str(ws), "--model", f"scripted:{script}",
                        "--approval", "full-auto"], input=lines, capture_output=True, text=True, env=env, timeout=90)
    assert r.returncode == 0, r.stderr
    assert "restored the files to before step 3" in r.stdout and "compacted the context" in r.stdout
    assert not (ws / "undone.txt").exists() and (ws / "kept.txt").exists()
    summary = next(m["content"] for m in requests_of(script)[-1]["messages"]
                   if m["role"] == "user" and "Summary:" in str(m["content"]))
    assert "Task: create kept.txt please" in summary
    assert "Files changed: kept.txt\n" in summary and "files touched: kept.txt" in summary
    assert "restored the files to before step 3" in summary  # the calls made stay, with the undo after them
