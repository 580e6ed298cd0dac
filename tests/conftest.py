"""Shared fixtures: temp git workspaces, scripted-model files, and the real CLI run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

collect_ignore_glob = ["data/*"]  # fixtures, some of them test files of their own
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def make_workspace(root: Path, files: dict[str, str], git: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    if git:
        env = {**os.environ, **GIT_ENV}
        for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
            subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
    return root


def call(name: str, **arguments: object) -> dict:
    return {"name": name, "arguments": arguments}


def write_script(path: Path, turns: list[dict]) -> Path:
    path.write_text("".join(json.dumps(t) + "\n" for t in turns))
    return path


def requests_of(script: Path) -> list[dict]:
    log = Path(str(script) + ".requests.jsonl")
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "state"
    monkeypatch.setenv("HAME_STATE_DIR", str(d))
    return d


@pytest.fixture
def hame(state_dir: Path):
    """Run the real `hame` CLI in a subprocess; returns CompletedProcess."""

    def run(*args: str, timeout: float = 60, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
        full_env = {**os.environ, "HAME_STATE_DIR": str(state_dir),
                    "XDG_CONFIG_HOME": str(state_dir.parent / "xdg"), **(env or {})}  # never the user's config
        for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "HAME_MODEL", "HAME_MAX_STEPS",
                  "HAME_APPROVAL", "HAME_SANDBOX", "HAME_MAX_COST", "HAME_MAX_TOKENS", "HAME_FORCE_WRITES",
                  "HAME_FOCUS_REPAIR", "HAME_ATTACH_TESTS", "HAME_REPO_MAP",
                  "HAME_PLAIN_RETRIES", "CI", "BUILD_NUMBER"):  # pytest stops clipping asserts on CI
            if k not in (env or {}):
                full_env.pop(k, None)
        return subprocess.run([sys.executable, "-m", "hame", *args], capture_output=True, text=True,
                              timeout=timeout, env=full_env, stdin=subprocess.DEVNULL, **kw)

    return run


def run_small_model(hame, tmp_path: Path, ws: Path, replies: list, prompt: str, *flags: str,
                    profile: str = "small-local", env: dict | None = None, timeout: float = 60):
    """The real CLI with a small-model profile, its model a FakeOpenAI server playing `replies`; returns
    (CompletedProcess, server). Plain retries are off unless `env` sets `HAME_PLAIN_RETRIES` ("" for the profile's
    default): most tests here are about what a noted restart tells the model. `fill_in` is off unless `env` sets
    `HAME_TACTICS`: its one-token edits would fix these fixtures' bugs before the model is asked (its own tests are
    tests/tactics/test_fill_in.py). `timeout`: the run's limit in s."""
    env = {"HAME_PLAIN_RETRIES": "0", "HAME_TACTICS": "-fill_in", **(env or {})}
    from .fakes.openai_server import FakeOpenAI

    (tmp_path / "xdg" / "hame").mkdir(parents=True, exist_ok=True)
    with FakeOpenAI(replies) as srv:
        (tmp_path / "xdg" / "hame" / "config.toml").write_text(
            f'[models.tiny]\nprovider = "openai"\nmodel = "qwen"\nbase_url = "{srv.url}"\nprofile = "{profile}"\n')
        r = hame("-p", prompt, "--cwd", str(ws), "--model", "tiny", "--api-key", "k", *flags,
                 "--output-format", "json", env=env, timeout=timeout)
    return r, srv
