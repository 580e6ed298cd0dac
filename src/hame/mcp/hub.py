"""The MCP servers of one run: each is connected by one long-lived task on a background event loop (the SDK's
context managers must be entered and left by the same task), which lists the server's tools and then waits to
be told to stop. Tool calls are sent from hame's thread and waited for synchronously. A server that fails to
start becomes a notice (with the tail of its stderr) and the run goes on without it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TextIO

import mcp
import mcp_types

from ..errors import ToolError
from ..tools.base import Tool
from .config import ServerConfig
from .loop import LoopThread
from .tool import McpTool

MAX_PAGES = 50


class Connection:
    def __init__(self, config: ServerConfig, workspace: Path, log_path: Path) -> None:
        self.config = config
        self.workspace = workspace
        self.log_path = log_path
        self.client: mcp.Client | None = None
        self.tools: list[mcp_types.Tool] = []
        self.error: str | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._log_start = 0

    async def open(self) -> None:
        """Start the server and list its tools; raises on failure (the server is then stopped)."""
        self._stop = asyncio.Event()
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._serve(ready))
        try:
            await asyncio.wait_for(asyncio.shield(ready), self.config.startup_timeout)
        except BaseException:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            raise

    async def _serve(self, ready: asyncio.Future[None]) -> None:
        try:
            async with AsyncExitStack() as stack:
                client = await stack.enter_async_context(mcp.Client(self._transport(stack)))
                self.tools = await _list_tools(client)
                self.client = client
                ready.set_result(None)
                assert self._stop is not None
                await self._stop.wait()
        except Exception as exc:
            if not ready.done():
                ready.set_exception(exc)
            else:
                self.error = describe(exc)
        finally:
            self.client = None

    def _transport(self, stack: AsyncExitStack) -> Any:
        c = self.config
        if c.url:
            from mcp.client.streamable_http import streamable_http_client
            from mcp.shared._httpx_utils import create_mcp_http_client

            return streamable_http_client(c.url, http_client=create_mcp_http_client(headers=c.headers or None))
        from mcp.client.stdio import stdio_client

        params = mcp.StdioServerParameters(command=c.command or "", args=c.args, env=c.env or None,
                                           cwd=str(self.workspace))
        return stdio_client(params, errlog=self._errlog(stack))

    def _errlog(self, stack: AsyncExitStack) -> TextIO:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = stack.enter_context(self.log_path.open("a", encoding="utf-8"))
        log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} hame starts {self.config.command}\n")
        log.flush()
        self._log_start = log.tell()
        return log

    def stderr_tail(self, lines: int = 5) -> str:
        if self.config.url or not self.log_path.is_file():
            return ""
        with self.log_path.open(encoding="utf-8", errors="replace") as f:
            f.seek(self._log_start)
            return "\n".join(f.read().strip().splitlines()[-lines:])

    async def call(self, name: str, arguments: dict[str, Any]) -> mcp_types.CallToolResult:
        if self.client is None:
            why = f" ({self.error})" if self.error else ""
            raise ToolError(f"the MCP server {self.config.name!r} is no longer connected{why}; "
                            "use other tools or tell the user")
        return await self.client.call_tool(name, arguments, read_timeout_seconds=self.config.timeout)

    async def close(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 10)
            except Exception:  # a server that will not stop is killed with hame
                pass


async def _list_tools(client: mcp.Client) -> list[mcp_types.Tool]:
    tools: list[mcp_types.Tool] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = await client.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if not cursor:
            break
    return tools


class McpHub:
    """Every MCP server of a run. `tools` are the hame tools of the servers that started."""

    def __init__(self, servers: list[ServerConfig], workspace: Path, log_dir: Path,
                 notice: Callable[[str], None]) -> None:
        self.notice = notice
        self.connections = [Connection(s, workspace, log_dir / f"mcp-{s.name}.log") for s in servers]
        self.loop: LoopThread | None = LoopThread() if servers else None
        self.tools: list[Tool] = []

    @classmethod
    def start(cls, servers: list[ServerConfig], workspace: Path, log_dir: Path,
              notice: Callable[[str], None]) -> McpHub:
        """Start `servers` at once, in parallel."""
        hub = cls(servers, workspace, log_dir, notice)
        if hub.loop is not None:
            outcomes = hub.loop.run(hub._open_all(), _deadline(hub.connections))
            for conn, outcome in zip(hub.connections, outcomes, strict=True):
                hub._started(conn, outcome)
        return hub

    async def _open_all(self) -> list[BaseException | None]:
        return await asyncio.gather(*(c.open() for c in self.connections), return_exceptions=True)

    def _started(self, conn: Connection, outcome: BaseException | None) -> None:
        name = conn.config.name
        if outcome is not None:
            self.notice(startup_failure(conn, outcome))
            return
        taken = {t.name for t in self.tools}
        for spec in conn.tools:
            tool = McpTool(self, conn.config, spec)
            if tool.name in taken:
                self.notice(f"MCP server {name!r}: tool {spec.name!r} is left out "
                            f"(its name {tool.name} clashes with another tool)")
                continue
            taken.add(tool.name)
            self.tools.append(tool)

    def call(self, server: str, name: str, arguments: dict[str, Any]) -> mcp_types.CallToolResult:
        """Call a tool of a server from hame's thread; raises ToolError when the call cannot be made."""
        conn = next(c for c in self.connections if c.config.name == server)
        if self.loop is None:
            raise ToolError("MCP servers are closed")
        try:
            return self.loop.run(conn.call(name, arguments), conn.config.timeout + 5)
        except ToolError:
            raise
        except Exception as exc:
            raise ToolError(f"the MCP server {server!r} failed on {name}: {describe(exc)}") from None

    def close(self) -> None:
        if self.loop is None:
            return
        try:
            self.loop.run(self._close_all(), timeout=20)
        except Exception as exc:
            self.notice(f"MCP servers did not all stop cleanly: {describe(exc)}")
        finally:
            self.loop.close()
            self.loop = None

    async def _close_all(self) -> None:
        await asyncio.gather(*(c.close() for c in self.connections), return_exceptions=True)


def startup_failure(conn: Connection, exc: BaseException) -> str:
    c = conn.config
    what = (c.url or " ".join([c.command or "", *c.args]))[:120]
    why = f"no answer within {c.startup_timeout:.0f}s" if isinstance(exc, TimeoutError) else describe(exc)
    text = f"MCP server {c.name!r} ({what}) did not start: {why}; going on without its tools"
    if c.command:
        tail = conn.stderr_tail()
        text += f" (log: {conn.log_path})" + (f"; its stderr ends with:\n{tail}" if tail else "")
    return text


def describe(exc: BaseException) -> str:
    """The innermost real error of an exception (group), in one line."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _deadline(connections: list[Connection]) -> float:
    return max(c.config.startup_timeout for c in connections) + 30
