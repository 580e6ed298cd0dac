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
        responses = [json.loads(part.split("\n", 1)[0]) for turn in data["conversations"] if turn["from"] == "tool"
                     for part in turn["value"].split("<tool_response>\n")[1:]]
        assert [r["name"] for r in responses] == ["read_file", "list_files", "edit_file"]


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


def test_export_after_compact_keeps_the_turns_before_the_summary(tmp_path: Path, state_dir: Path) -> None:
    import os
    import subprocess
    import sys

    ws = make_workspace(tmp_path / "ws", {"app.py": "x = 1\n"})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("read_file", path="app.py")]},
        {"content": "It sets x."}, {"content": "One."}, {"content": "Two."}, {"content": "Three."},
        {"content": "Summary: the user asked about app.py; it sets x."},  # /compact's summary turn
        {"content": "Still x."},
    ])
    env = {**os.environ, "HAME_STATE_DIR": str(state_dir), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    r = subprocess.run([sys.executable, "-m", "hame", "--cwd", str(ws), "--model", f"scripted:{script}"],
                       input="what does app.py do\none\ntwo\nthree\n/compact\nand now?\n", capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "compacted the context" in r.stdout
    out = subprocess.run([sys.executable, "-m", "hame", "export", "latest"], capture_output=True, text=True,
                         env=env, cwd=ws, timeout=60)
    assert out.returncode == 0, out.stderr
    messages = json.loads(out.stdout)["messages"]
    users = [m["content"] for m in messages if m["role"] == "user"]
    assert users[0].startswith("what does app.py do") and users[-1].startswith("and now?")
    assert [m["content"] for m in messages if m["role"] == "tool"] and messages[-1]["content"] == "Still x."
    assert not any("Summary:" in str(m["content"]) for m in messages)
