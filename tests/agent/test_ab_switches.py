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


def test_plain_retries_resend_the_first_request_unchanged(tmp_path: Path, hame) -> None:
    """`HAME_PLAIN_RETRIES=N`: after a failed check the first request goes out again as it was (its prefix cached),
    hotter; once the N retries are spent, a restart carries a note of what failed."""
    ws = make_workspace(tmp_path / "ws", FILES)
    wrong = [reply(json.dumps({"name": "write_file", "arguments": {
        "path": "greet.py", "content": f"def greet(name):\n    return 'Hi{i}, ' + name\n"}})) for i in range(3)]
    r, srv = run_small_model(hame, tmp_path, ws, [*wrong, reply(FIXED)], PROMPT, "--check", "python -m pytest -q",
                             env={"HAME_PLAIN_RETRIES": "2"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stop_reason"] == "completed"
    sent = [req["messages"] for req in srv.requests]
    assert len(sent) == 4 and sent[1] == sent[0] and sent[2] == sent[0]
    assert len(sent[3]) == len(sent[0]) + 1 and "did not pass the check" in sent[3][-1]["content"]
    assert [req.get("temperature") for req in srv.requests] == [0.2, 0.3, 0.4, 0.5]


def test_the_small_profiles_retry_plainly_by_default(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    wrong = reply(json.dumps({"name": "write_file", "arguments": {
        "path": "greet.py", "content": "def greet(name):\n    return 'Hi, ' + name\n"}}))
    r, srv = run_small_model(hame, tmp_path, ws, [wrong, reply(FIXED)], PROMPT, "--check", "python -m pytest -q",
                             env={"HAME_PLAIN_RETRIES": ""})
    assert r.returncode == 0, r.stderr
    assert srv.requests[1]["messages"] == srv.requests[0]["messages"] and srv.requests[1]["temperature"] == 0.3


def test_a_bad_plain_retries_value_is_a_clear_error(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    r, srv = run_small_model(hame, tmp_path, ws, [reply(FIXED)], PROMPT, env={"HAME_PLAIN_RETRIES": "lots"})
    assert r.returncode == 2 and "HAME_PLAIN_RETRIES='lots': use a whole number" in r.stderr and not srv.requests
    assert (ws / "greet.py").read_text() == FILES["greet.py"]
