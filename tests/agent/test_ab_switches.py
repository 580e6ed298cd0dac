"""The on/off environment switches for A/B benchmark runs, seen in what the model is sent."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply

FILES = {"greet.py": "def greet(name):\n    pass\n",
         "greet_test.py": "from greet import greet\n\n\ndef test_greet():\n    assert greet('Bo') == 'Hello, Bo!'\n"}
PROMPT = "Make greet_test.py pass by changing greet.py."
FIXED = json.dumps({"name": "write_file", "arguments": {"path": "greet.py",
                                                        "content": "def greet(name):\n    return f'Hello, {name}!'\n"}})


def first_request(hame, tmp_path: Path, name: str, env: dict | None) -> list[dict]:
    ws = make_workspace(tmp_path / name, FILES)
    r, srv = run_small_model(hame, tmp_path, ws, [reply(FIXED)], PROMPT, "--check", "python -m pytest -q", env=env)
    assert r.returncode == 0, r.stderr
    assert (ws / "greet_test.py").read_text() == FILES["greet_test.py"]
    return srv.requests[0]["messages"]


def test_the_small_profile_attaches_the_named_tests_unless_switched_off(tmp_path: Path, hame) -> None:
    """`HAME_ATTACH_TESTS=off`: only the code to change is attached; the tests stay on disk."""
    for switch, attached in ((None, True), ("off", False)):
        task = first_request(hame, tmp_path, f"ws-{switch}", {"HAME_ATTACH_TESTS": switch} if switch else None)[1]
        assert "## greet.py\n```\ndef greet(name):\n    pass\n```" in task["content"]
        assert task["content"].endswith(PROMPT) and ("## greet_test.py" in task["content"]) is attached


def test_the_repo_map_can_be_switched_off(tmp_path: Path, hame) -> None:
    """`HAME_REPO_MAP=off`: no ranked map in the system prompt (the small profile has a 512-token one)."""
    with_map = first_request(hame, tmp_path, "with", None)[0]["content"]
    without = first_request(hame, tmp_path, "without", {"HAME_REPO_MAP": "off"})[0]["content"]
    assert "# Repo map (ranked definitions)" in with_map and "def greet(name)" in with_map
    assert "# Repo map" not in without and "# Workspace" in without and len(without) < len(with_map)
