"""MCP servers as hame tools, against a real MCP server (tests/fakes/mcp_server.py) over stdio and HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hame.errors import ToolError, UsageError
from hame.mcp import start_servers
from hame.mcp.hub import McpHub
from hame.tools.base import ToolContext

SERVER = str(Path(__file__).parents[1] / "fakes" / "mcp_server.py")


def stdio(**extra: object) -> dict:
    return {"command": sys.executable, "args": [SERVER], **extra}


def start(tmp_path: Path, servers: dict, notices: list[str] | None = None) -> McpHub:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    sink = notices if notices is not None else []
    return start_servers({"servers": servers}, ws, tmp_path / "logs", sink.append)  # type: ignore[return-value]


def run(hub: McpHub, tool_name: str, **args: object) -> str:
    tool = next(t for t in hub.tools if t.name == tool_name)
    return tool.run(tool.validate(args), ToolContext(workspace=Path(".")))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


def test_stdio_server_tools_are_named_described_and_flagged(tmp_path: Path) -> None:
    hub = start(tmp_path, {"demo": stdio()})
    try:
        tools = {t.name: t for t in hub.tools}
        assert set(tools) == {"mcp__demo__add", "mcp__demo__write_note", "mcp__demo__env_value",
                              "mcp__demo__fail", "mcp__demo__crash"}
        assert not tools["mcp__demo__add"].mutating and tools["mcp__demo__write_note"].mutating
        schema = tools["mcp__demo__add"].schema()["function"]
        assert schema["description"] == "Add two integers."
        assert schema["parameters"] == {"type": "object", "required": ["a", "b"],
                                        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}
    finally:
        hub.close()


def test_calls_run_in_the_workspace_with_the_configured_env_and_the_server_stops(tmp_path: Path) -> None:
    hub = start(tmp_path, {"demo": stdio(env={"DEMO_TOKEN": "t0k"})})
    pid = int((tmp_path / "ws" / "mcp-server.pid").read_text())
    try:
        assert run(hub, "mcp__demo__add", a=2, b=3) == "5"
        assert run(hub, "mcp__demo__write_note", path="n.txt", text="hi") == "wrote 2 characters to n.txt"
        assert (tmp_path / "ws" / "n.txt").read_text() == "hi"
        assert run(hub, "mcp__demo__env_value", key="DEMO_TOKEN") == "t0k"
        assert alive(pid)
    finally:
        hub.close()
    deadline = time.time() + 5
    while alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    assert not alive(pid)


def test_bad_arguments_and_tool_errors_go_back_to_the_model(tmp_path: Path) -> None:
    hub = start(tmp_path, {"demo": stdio()})
    try:
        with pytest.raises(ToolError, match=r"Invalid arguments for mcp__demo__add: .*'b' is a required.* "
                                            r"Expected: mcp__demo__add\(a, b\)"):
            run(hub, "mcp__demo__add", a=1)
        with pytest.raises(ToolError, match="failed on purpose: why not"):
            run(hub, "mcp__demo__fail", reason="why not")
    finally:
        hub.close()


def test_a_server_that_dies_mid_run_gives_a_tool_error(tmp_path: Path) -> None:
    hub = start(tmp_path, {"demo": stdio()})
    try:
        with pytest.raises(ToolError, match="MCP server 'demo'"):
            run(hub, "mcp__demo__crash")
        with pytest.raises(ToolError, match="MCP server 'demo'"):
            run(hub, "mcp__demo__add", a=1, b=2)
    finally:
        hub.close()


def test_servers_that_fail_to_start_become_notices_and_the_others_work(tmp_path: Path) -> None:
    notices: list[str] = []
    dying = {"command": sys.executable, "args": ["-c", "import sys; print('bad token', file=sys.stderr); sys.exit(1)"]}
    hub = start(tmp_path, {"missing": {"command": "no-such-mcp-server-xyz"}, "dying": dying, "demo": stdio()},
                notices)
    try:
        assert [t.name for t in hub.tools if t.name.endswith("__add")] == ["mcp__demo__add"]
        assert len(notices) == 2
        missing = next(n for n in notices if "'missing'" in n)
        assert "did not start" in missing and "going on without its tools" in missing
        dead = next(n for n in notices if "'dying'" in n)
        assert "bad token" in dead and str(tmp_path / "logs" / "mcp-dying.log") in dead
    finally:
        hub.close()


def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    notices: list[str] = []
    silent = {"command": sys.executable, "args": ["-c", "import time; time.sleep(60)"], "startup_timeout": 1}
    began = time.time()
    hub = start(tmp_path, {"silent": silent}, notices)
    hub.close()
    assert time.time() - began < 15
    assert hub.tools == [] and "no answer within 1s" in notices[0]


def test_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\[mcp.servers.x\]: .*either command .* or url"):
        start(tmp_path, {"x": {"args": ["a"]}})
    with pytest.raises(UsageError, match=r"\[mcp.servers.x\]: comand: Extra inputs"):
        start(tmp_path, {"x": {"comand": "a"}})
    assert start(tmp_path, {"x": {"command": "a", "enabled": False}}).tools == []


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    cwd = tmp_path / "srv"
    cwd.mkdir()
    proc = subprocess.Popen([sys.executable, SERVER, "--http", str(port)], cwd=cwd, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)


def test_streamable_http_server(tmp_path: Path, http_server: str) -> None:
    hub = start(tmp_path, {"web": {"url": http_server, "headers": {"X-Demo": "1"}}})
    try:
        assert "mcp__web__add" in {t.name for t in hub.tools}
        assert run(hub, "mcp__web__add", a=20, b=22) == "42"
    finally:
        hub.close()


def test_unreachable_http_server_is_a_notice(tmp_path: Path) -> None:
    notices: list[str] = []
    hub = start(tmp_path, {"web": {"url": "http://127.0.0.1:9/mcp", "startup_timeout": 5}}, notices)
    hub.close()
    assert hub.tools == [] and "MCP server 'web' (http://127.0.0.1:9/mcp) did not start" in notices[0]
