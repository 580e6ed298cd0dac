"""Files named in a task are attached to it for a small model: tests first, the file to change last, then the
task itself, so the request and the code to change are what the model reads last."""

from __future__ import annotations

import json
from pathlib import Path

from hame.context.mentions import attach, mentioned_files

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply


def test_named_text_files_inside_the_workspace_are_found(tmp_path: Path) -> None:
    (tmp_path / "leap.py").write_text("def leap_year(y):\n    pass\n")
    (tmp_path / "leap_test.py").write_text("from leap import leap_year\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01")
    task = "Fix leap.py so leap_test.py passes; see ../secret.py, blob.bin and missing.py."
    (tmp_path.parent / "secret.py").write_text("x = 1\n")
    assert [rel for rel, _ in mentioned_files(task, tmp_path)] == ["leap.py", "leap_test.py"]


def test_tests_come_first_the_file_to_change_last_then_the_task() -> None:
    files = [("leap.py", "def leap_year(y):\n    pass\n"), ("leap_test.py", "import leap")]
    text = attach("Fix leap.py.", files, targets=["leap.py"])
    assert text.index("## leap_test.py") < text.index("## leap.py") < text.index("# Task\nFix leap.py.")
    assert "```\nimport leap\n```" in text  # a missing final newline is added inside the block
    assert attach("Just a question.", []) == "Just a question."


def test_the_small_profile_attaches_the_named_tests_unless_switched_off(tmp_path: Path, hame) -> None:
    """`HAME_ATTACH_TESTS=off` (an A/B switch): only the code to change is attached; the tests stay on disk."""
    files = {"greet.py": "def greet(name):\n    pass\n",
             "greet_test.py": "from greet import greet\n\n\ndef test_greet():\n"
                              "    assert greet('Bo') == 'Hello, Bo!'\n"}
    code = "def greet(name):\n    return f'Hello, {name}!'\n"
    fixed = json.dumps({"name": "write_file", "arguments": {"path": "greet.py", "content": code}})
    prompt = "Make greet_test.py pass by changing greet.py."
    for switch, attached in ((None, True), ("off", False)):
        ws = make_workspace(tmp_path / f"ws-{switch}", files)
        r, srv = run_small_model(hame, tmp_path, ws, [reply(fixed)], prompt, "--check", "python -m pytest -q",
                                 env={"HAME_ATTACH_TESTS": switch} if switch else None)
        assert r.returncode == 0, r.stderr
        task = srv.requests[0]["messages"][1]["content"]
        assert "## greet.py\n```\ndef greet(name):\n    pass\n```" in task and task.endswith(prompt)
        assert ("## greet_test.py" in task) is attached
        assert (ws / "greet_test.py").read_text() == files["greet_test.py"]
