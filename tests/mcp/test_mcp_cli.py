"""MCP servers from `.hame/config.toml`, end to end through the real CLI with the scripted model."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ..conftest import call, make_workspace, requests_of, write_script
from .test_hub import SERVER


def config(servers: dict[str, str], extra: str = "") -> str:
    tables = [f"[mcp.servers.{name}]\n{body}\n" for name, body in servers.items()]
    return "\n".join(tables) + extra


DEMO = f"command = {json.dumps(sys.executable)}\nargs = [{json.dumps(SERVER)}]\nenv = {{ DEMO_TOKEN = \"t0k\" }}"


def results(transcript: str) -> list[dict]:
    records = [json.loads(line) for line in Path(transcript).read_text().splitlines()]
    return [r for r in records if r["type"] == "tool_result"]


def test_mcp_tools_are_offered_called_and_the_server_stopped(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": config({"demo": DEMO})})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("mcp__demo__add", a=2, b=40),
                                       call("mcp__demo__env_value", key="DEMO_TOKEN")]},
        {"content": "", "tool_calls": [call("mcp__demo__write_note", path="note.txt", text="from mcp")]},
        {"content": "The answer is 42."},
    ])
    r = hame("-p", "add", "--cwd", str(ws), "--trust", "--model", f"scripted:{script}", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [(x["name"], x["output"]) for x in results(out["transcript"])] == [
        ("mcp__demo__add", "42"), ("mcp__demo__env_value", "t0k"),
        ("mcp__demo__write_note", "wrote 8 characters to note.txt")]
    assert (ws / "note.txt").read_text() == "from mcp"
    tools = {t["function"]["name"]: t["function"] for t in requests_of(script)[0]["tools"]}
    assert tools["mcp__demo__add"]["parameters"]["required"] == ["a", "b"] and "read_file" in tools
    pid = int((ws / "mcp-server.pid").read_text())
    deadline = time.time() + 5
    while Path(f"/proc/{pid}").exists() and time.time() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_permission_rules_and_modes_apply_to_mcp_tools(tmp_path: Path, hame) -> None:
    deny = '\n[permissions]\ndeny = ["mcp__demo__write*"]\n'
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": config({"demo": DEMO}, deny)})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("mcp__demo__write_note", path="n.txt", text="x")]},
        {"content": "", "tool_calls": [call("mcp__demo__fail", reason="r"), call("mcp__demo__add", a=1, b=1)]},
        {"content": "done"},
    ])
    r = hame("-p", "go", "--cwd", str(ws), "--trust", "--model", f"scripted:{script}", "--output-format", "json",
             "--approval", "read-only")
    assert r.returncode == 0, r.stderr
    got = results(json.loads(r.stdout)["transcript"])
    assert [x["ok"] for x in got] == [False, False, True]
    assert "mcp__demo__write*" in got[0]["output"]  # the deny rule, named
    assert "read-only mode" in got[1]["output"] and got[2]["output"] == "2"
    assert not (ws / "n.txt").exists()


def test_a_server_that_fails_to_start_is_a_notice_and_the_run_goes_on(tmp_path: Path, hame) -> None:
    broken = f"command = {json.dumps(sys.executable)}\nargs = [\"-c\", \"raise SystemExit('no config for broken')\"]"
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": config({"broken": broken, "demo": DEMO})})
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("mcp__broken__anything")]},
        {"content": "", "tool_calls": [call("mcp__demo__add", a=1, b=2)]},
        {"content": "ok"},
    ])
    r = hame("-p", "go", "--cwd", str(ws), "--trust", "--model", f"scripted:{script}", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    assert "MCP server 'broken'" in r.stderr and "no config for broken" in r.stderr
    got = results(json.loads(r.stdout)["transcript"])
    assert "Unknown tool 'mcp__broken__anything'" in got[0]["output"] and got[1]["output"] == "3"


def test_bad_mcp_config_is_a_usage_error(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": "[mcp.servers.x]\nurl = 'http://h'\ncommand = 'y'\n"})
    script = write_script(tmp_path / "s.jsonl", [{"content": "never"}])
    r = hame("-p", "go", "--cwd", str(ws), "--trust", "--model", f"scripted:{script}")
    assert r.returncode == 2 and "[mcp.servers.x]" in r.stderr
