"""A pass/fail pair of hame tasks and a scripted model for them: on task `alpha` the model fixes the bug with one
`write_file` call, on task `beta` it answers without changing anything. The replies are chosen from the request,
so the pair can run concurrently against one server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fakes.openai_server import reply

BUGGY = "def add(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"


def write_manifest(path: Path) -> Path:
    lines = [{"name": name, "instructions": f"Task {name}: make add() in calc.py add its arguments.",
              "files": {"calc.py": BUGGY, "test_calc.py": TEST}, "solution_files": ["calc.py"],
              "test_files": ["test_calc.py"], "pytest_targets": ["test_calc.py"], "timeout": 60}
             for name in ("alpha", "beta")]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def scripted(body: dict[str, Any]) -> dict[str, Any]:
    messages = body.get("messages") or []
    first_user = next((str(m.get("content")) for m in messages if m.get("role") == "user"), "")
    if any(m.get("role") == "tool" for m in messages) or "Task alpha" not in first_user:
        return reply("Done.")
    return reply(None, [("write_file", {"path": "calc.py", "content": FIXED})])
