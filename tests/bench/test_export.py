"""`hame export`: a real session (real CLI, scripted model) written as openai / sharegpt / hermes JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.bench.chatformats import PROMPT_SIDE
from hame.bench.export import complete_turns, validate_line

from ..conftest import call, make_workspace, write_script

SECRET = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0" * 2


@pytest.fixture
def session(tmp_path: Path, hame) -> tuple[Path, str]:
    ws = make_workspace(tmp_path / "ws", {"app.py": f'API_KEY = "{SECRET}"\n'})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "Reading both.", "tool_calls": [call("read_file", path="app.py"), call("list_files")]},
        {"content": "", "tool_calls": [call("edit_file", path="app.py", old_text=SECRET, new_text="x")]},
        {"content": "Done."},
    ])
    r = hame("-p", f"remove the key {SECRET}", "--cwd", str(ws), "--model", f"scripted:{script}",
             "--output-format", "json")
    assert r.returncode == 0, r.stderr
    return ws, json.loads(r.stdout)["session_id"]


@pytest.mark.parametrize("fmt", ["openai", "sharegpt", "hermes"])
def test_export_formats_validate_and_redact(session: tuple[Path, str], hame, tmp_path: Path, fmt: str) -> None:
    _ws, sid = session
    out = tmp_path / f"{fmt}.jsonl"
    r = hame("export", sid[:12], "--format", fmt, "--out", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert SECRET not in text and "[REDACTED]" in text
    t = validate_line(text.splitlines()[0], fmt)  # type: ignore[arg-type]
    assert t.model.startswith("scripted:") and t.reward is None and t.passed is None
    assert t.metadata.session_id == sid and t.metadata.steps == 3 and t.usage.input_tokens > 0
    data = json.loads(text)
    if fmt == "openai":
        roles = [m["role"] for m in data["messages"]]
        assert roles == ["system", "user", "assistant", "tool", "tool", "assistant", "tool", "assistant"]
        assert {t["function"]["name"] for t in data["tools"]} >= {"read_file", "edit_file", "run_shell"}
    else:
        turns = data["conversations"][1:] if fmt == "hermes" else data["conversations"]
        sides = [x["from"] in PROMPT_SIDE for x in turns]
        assert sides == [i % 2 == 0 for i in range(len(turns))]  # prompt side and model side alternate
    if fmt == "sharegpt":
        assert json.loads(data["tools"]) and data["conversations"][1]["from"] == "function_call"
        assert len(json.loads(data["conversations"][1]["value"])) == 2  # both calls of the turn
    if fmt == "hermes":
        assert "<tools>" in data["conversations"][0]["value"]
        assert '<tool_call>\n{"name": "read_file"' in data["conversations"][2]["value"]
        assert data["conversations"][3]["value"].startswith("<tool_response>")


def test_export_to_stdout_by_path_and_schema(session: tuple[Path, str], hame, state_dir: Path) -> None:
    _ws, sid = session
    path = state_dir / "sessions" / f"{sid}.jsonl"
    r = hame("export", str(path))
    assert r.returncode == 0 and validate_line(r.stdout.strip(), "openai").metadata.session_id == sid
    schema = json.loads(hame("export", "--schema", "--format", "sharegpt").stdout)
    assert {"conversations", "tools", "reward", "usage"} <= set(schema["properties"])
    assert hame("export", "nope-no-such-session").returncode == 2
    assert hame("export").returncode == 2


def test_a_turn_cut_short_is_left_out() -> None:
    call_msg = {"role": "assistant", "content": None,
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "ls", "arguments": "{}"}}]}
    msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, call_msg]
    assert complete_turns(msgs) == msgs[:2]
    done = [*msgs, {"role": "tool", "tool_call_id": "c1", "name": "ls", "content": "a.py"}]
    assert complete_turns(done) == done
