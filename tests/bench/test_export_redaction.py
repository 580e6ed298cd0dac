"""Finding 6 of issue 29: every export format redacts alike (hermes JSON-escapes tool output, which hid quoted
secrets from the patterns), and a secret found anywhere in a session is masked everywhere, the model's prose too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.bench.redact import MASK, redact_session

from ..conftest import call, make_workspace, write_script

QUOTED = "hunter2-Quoted-77"
ENVVAL = "Xy7-env-secret-99"


@pytest.mark.parametrize("fmt", ["openai", "sharegpt", "hermes"])
def test_secrets_read_in_a_session_are_masked_everywhere(tmp_path: Path, hame, fmt: str) -> None:
    ws = make_workspace(tmp_path / "ws", {".env": f'db_password = "{QUOTED}"\nDB_PASSWORD={ENVVAL}\n'})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("read_file", path=".env")]},
        {"content": f"The password is {QUOTED} and the other one {ENVVAL}."},
    ])
    r = hame("-p", "what is in .env?", "--cwd", str(ws), "--model", f"scripted:{script}", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out.jsonl"
    sid = json.loads(r.stdout)["session_id"]
    assert hame("export", sid, "--format", fmt, "--out", str(out)).returncode == 0
    text = out.read_text()
    assert QUOTED not in text and ENVVAL not in text and MASK in text


def test_redact_session_masks_values_found_in_json_arguments() -> None:
    args = json.dumps({"path": "k.py", "content": 'token = "abcdefgh12345"\n'})
    value = {"a": args, "b": "later the model says abcdefgh12345"}
    out = redact_session(value)
    assert "abcdefgh12345" not in json.dumps(out)
