"""MCP servers as hame tools, through the official `mcp` SDK: servers declared in config are started when a run
starts (stdio subprocesses or streamable-HTTP endpoints), their tools are offered to the model as
`mcp__<server>__<tool>` under the same permission rules as built-in tools, and they are stopped when it closes.
The SDK is imported only when a server is configured (it costs half a second)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from ..tools.base import Tool
from .config import ServerConfig, parse_servers


class Servers(Protocol):
    tools: list[Tool]

    def close(self) -> None: ...


class NoServers:
    def __init__(self) -> None:
        self.tools: list[Tool] = []

    def close(self) -> None:
        pass


def start_servers(table: dict[str, Any] | None, workspace: Path, log_dir: Path,
                  notice: Callable[[str], None]) -> Servers:
    """Start the servers of an `[mcp]` config table, in parallel; raises UsageError on bad config. A server
    that does not start is a notice (with its stderr's tail) and the run goes on without it."""
    servers = parse_servers(table)
    if not servers:
        return NoServers()
    from .hub import McpHub

    return McpHub.start(servers, workspace, log_dir, notice)


__all__ = ["NoServers", "ServerConfig", "Servers", "parse_servers", "start_servers"]
