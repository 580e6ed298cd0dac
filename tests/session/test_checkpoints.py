"""Checkpoints, /undo and `hame rewind` through the real CLI: files come back byte for byte (new files deleted,
deleted files recreated, modes restored) and the user's own git state is never touched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..conftest import GIT_ENV, call, make_workspace, write_script
from .support import dirs, git, git_state, records, repl, transcript_of, tree

FILES = {"a.py": "one\n", "b.txt": "bee\n", "bin.dat": "\x00old", ".gitignore": "ignored.log\n",
         "ignored.log": "log\n"}
STEPS = [
    {"content": "", "tool_calls": [call("write_file", path="new/dir/n.txt", content="new\n")]},
    {"content": "", "tool_calls": [call("read_file", path="a.py")]},
    {"content": "", "tool_calls": [call("edit_file", path="a.py", old_text="one", new_text="two")]},
    {"content": "", "tool_calls": [call("run_shell", command="rm b.txt && printf '\\000\\001\\377' > bin.dat && "
                                        "chmod +x a.py && echo more >> ignored.log")]},
    {"content": "done"},
]


def _user_repo(root: Path) -> Path:
    """A git workspace with a stash entry, a staged new file and an untracked file."""
    ws = make_workspace(root, FILES)
    env = {**os.environ, **GIT_ENV}
    (ws / "b.txt").write_text("stashed change\n")
    subprocess.run(["git", "stash", "-q"], cwd=ws, env=env, check=True)
    (ws / "staged.txt").write_text("staged\n")
    git(ws, "add", "staged.txt")
    (ws / "untracked.txt").write_text("u\n")
    return ws


def _run_steps(tmp: Path, hame, ws: Path) -> subprocess.CompletedProcess:
    script = write_script(tmp / "s.jsonl", STEPS)
    r = hame("-p", "change things", "--cwd", str(ws), "--model", f"scripted:{script}", "--sandbox", "none")
    assert r.returncode == 0, r.stderr
    return r


def _without_ignored(files: dict) -> dict:
    return {k: v for k, v in files.items() if k != "ignored.log"}


def test_rewind_lists_then_restores_byte_identical_files_and_leaves_git_alone(tmp_path: Path, hame) -> None:
    ws = _user_repo(tmp_path / "ws")
    files, folders, state = tree(ws), dirs(ws), git_state(ws)
    _run_steps(tmp_path, hame, ws)
    changed = tree(ws)
    checkpoints = [(r["step"], r["commit"]) for r in records(transcript_of(tmp_path / "state"))
                   if r["type"] == "checkpoint"]
    assert [s for s, _ in checkpoints] == [1, 3, 4]  # one per changing step, none for reading

    listing = hame("rewind", "latest", "--to", "3", cwd=ws)
    assert listing.returncode == 0, listing.stderr
    assert "modified  a.py" in listing.stdout and "deleted   b.txt" in listing.stdout
    assert "modified  bin.dat" in listing.stdout and "new/dir/n.txt" not in listing.stdout
    assert "add --yes" in listing.stdout and tree(ws) == changed  # listing alone changes nothing

    r = hame("rewind", "latest", "--to", "1", "--yes", cwd=ws)
    assert r.returncode == 0, r.stderr
    assert "added     new/dir/n.txt" in r.stdout and "restored 4 file(s)" in r.stdout
    after = tree(ws)
    assert _without_ignored(after) == _without_ignored(files)
    assert after["ignored.log"][0] == b"log\nmore\n"  # .gitignore'd files are not in checkpoints
    assert dirs(ws) == folders  # the directories the step created are gone too
    assert git_state(ws) == state
    restore = [r for r in records(transcript_of(tmp_path / "state")) if r["type"] == "restore"][-1]
    assert restore["step"] == 1 and restore["added"] == ["new/dir/n.txt"] and restore["deleted"] == ["b.txt"]


def test_undo_in_the_repl_goes_back_one_changing_step_at_a_time(tmp_path: Path) -> None:
    ws = _user_repo(tmp_path / "ws")
    files, state = tree(ws), git_state(ws)
    script = write_script(tmp_path / "s.jsonl", STEPS)
    r = repl(tmp_path / "state", ["change things", "/undo"], "--cwd", str(ws), "--model", f"scripted:{script}")
    assert r.returncode == 0, r.stderr
    assert "restored the files to before step 4" in r.stdout
    now = tree(ws)
    assert now["a.py"] == (b"two\n", files["a.py"][1]) and now["b.txt"] == files["b.txt"]
    assert now["bin.dat"] == files["bin.dat"] and "new/dir/n.txt" in now

    r = repl(tmp_path / "state", ["/resume latest", "/undo", "/undo", "/undo", "/memory"], "--cwd", str(ws),
             "--model", f"scripted:{script}")
    assert r.returncode == 0, r.stderr
    assert "before step 3" in r.stdout and "before step 1" in r.stdout and "nothing to undo" in r.stdout
    assert _without_ignored(tree(ws)) == _without_ignored(files)
    assert git_state(ws) == state
    assert "- The user restored the files to before step 1" in r.stdout  # /memory: the model will be told


def test_checkpoints_work_outside_git_and_skip_files_over_the_size_cap(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "a\n"}, git=False)
    (ws / "big.bin").write_bytes(b"x" * (5 * 1024 * 1024 + 1))
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("run_shell", command="echo b > a.txt && echo y >> big.bin && touch c")]},
        {"content": "done"}])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--sandbox", "none")
    assert r.returncode == 0, r.stderr
    assert "left out 1 file(s) over 5 MB" in r.stderr and "big.bin" in r.stderr
    r = hame("rewind", "latest", "--to", "1", "--yes", cwd=ws)
    assert r.returncode == 0, r.stderr
    assert (ws / "a.txt").read_text() == "a\n" and not (ws / "c").exists()
    assert (ws / "big.bin").stat().st_size == 5 * 1024 * 1024 + 3  # skipped, so left as it is
    assert not (ws / ".git").exists()


def test_rewind_without_a_step_lists_checkpoints_and_refuses_unknown_sessions(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "a\n"})
    _run_steps(tmp_path, hame, make_workspace(tmp_path / "other", FILES))
    r = hame("rewind", "latest", cwd=tmp_path / "other")
    assert r.returncode == 0 and "step   1" in r.stdout and "step   4" in r.stdout
    assert hame("rewind", "nope", "--to", "1", cwd=ws).returncode == 2
    r = hame("rewind", "latest", "--to", "9", "--yes", cwd=tmp_path / "other")
    assert r.returncode == 0 and "nothing to rewind" in r.stdout
