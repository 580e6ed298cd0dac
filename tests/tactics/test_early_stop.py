"""The early stop: with a check that fails before any change, the run ends once a change makes it pass."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply

GREET = {"greet.py": "def greet(name):\n    return 'Hello ' + name\n",
         "test_greet.py": "from greet import greet\n\n\ndef test_greet():\n    assert greet('Bo') == 'Hello, Bo!'\n"}
FIXED = json.dumps({"name": "write_file", "arguments": {"path": "greet.py",
                                                        "content": "def greet(name):\n    return f'Hello, {name}!'\n"}})
CHECK = "python -m pytest -q test_greet.py"


def test_the_run_ends_when_the_check_passes_unless_switched_off(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "on", GREET)
    r, srv = run_small_model(hame, tmp_path, ws, [reply(FIXED)], "Fix greet.py.", "--check", CHECK)
    out = json.loads(r.stdout)
    assert out["result"] == f"Changed greet.py; the check `{CHECK}` passes." and len(srv.requests) == 1
    ws = make_workspace(tmp_path / "off", GREET)
    answer = reply(json.dumps({"name": "final_answer", "arguments": {"text": "fixed it"}}))
    r, srv = run_small_model(hame, tmp_path, ws, [reply(FIXED), answer], "Fix greet.py.", "--check", CHECK,
                             env={"HAME_PLAIN_RETRIES": "0", "HAME_TACTICS": "-early_stop"})
    assert json.loads(r.stdout)["result"] == "fixed it" and len(srv.requests) == 2
