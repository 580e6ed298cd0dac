"""Helpers for the session tests: file trees as bytes, the user's git state, transcripts, the REPL on a pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root except .git, as (bytes, permission bits)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            path = Path(dirpath) / name
            out[str(path.relative_to(root))] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return out


def dirs(root: Path) -> set[str]:
    return {str(Path(d).relative_to(root)) for d, _, _ in os.walk(root) if ".git" not in Path(d).parts}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def git_state(root: Path) -> dict[str, str]:
    """What the user's git knows: status, stash, HEAD, the index's contents, branches."""
    return {"status": git(root, "status", "--porcelain=v1", "-uall"), "stash": git(root, "stash", "list"),
            "head": git(root, "rev-parse", "HEAD"), "index": git(root, "ls-files", "--stage"),
            "staged": git(root, "diff", "--cached"), "refs": git(root, "for-each-ref")}


def records(path: Path) -> list[dict]:
    """Complete transcript lines (a torn last line is left out)."""
    lines = path.read_bytes().split(b"\n")[:-1]
    return [json.loads(line) for line in lines]


def transcript_of(state_dir: Path) -> Path:
    found = sorted((state_dir / "sessions").glob("*.jsonl"), key=lambda p: p.stat().st_mtime)
    return found[-1]


def complete_requests(script: Path) -> list[dict]:
    log = Path(str(script) + ".requests.jsonl")
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_bytes().split(b"\n")[:-1]]


def repl(state_dir: Path, lines: list[str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real interactive CLI with `lines` typed on stdin."""
    env = {**os.environ, "HAME_STATE_DIR": str(state_dir)}
    for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HAME_MODEL"):
        env.pop(k, None)
    return subprocess.run([sys.executable, "-m", "hame", "--approval", "full-auto", "--sandbox", "none", *args],
                          input="".join(line + "\n" for line in lines), capture_output=True, text=True,
                          timeout=timeout, env=env)


def popen(state_dir: Path, *args: str) -> subprocess.Popen:
    """The real CLI in its own process group (so a kill reaches its shell commands too)."""
    env = {**os.environ, "HAME_STATE_DIR": str(state_dir)}
    return subprocess.Popen([sys.executable, "-m", "hame", *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
