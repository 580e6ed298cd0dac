"""Training-environment fixtures: a clean environment for the hame runs the adapters start, the task pair."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.envs.pair import write_manifest

ROOT = Path(__file__).resolve().parents[2]
CLEARED = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HAME_MODEL", "HAME_MAX_STEPS", "HAME_APPROVAL", "HAME_SANDBOX",
           "HAME_MAX_COST", "HAME_MAX_TOKENS", "HAME_STATE_DIR", "HAME_PROFILE", "HAME_TACTICS")


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No user config or model settings reach hame; children import this checkout and the test helpers."""
    for key in CLEARED:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    paths = [str(ROOT / "src"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    return dict(os.environ)


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "pair.jsonl")


def system_prompts(requests: list[dict]) -> set[str]:
    """The system prompts hame sent (one per task: the workspace path differs)."""
    return {str(m["content"]) for r in requests for m in r.get("messages", []) if m.get("role") == "system"}
