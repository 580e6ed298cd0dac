"""A small real MCP server built with the official SDK (MCPServer, FastMCP's name in mcp 2), served over stdio
(no arguments) or streamable HTTP (`--http PORT`). It writes its pid to `mcp-server.pid` in its working
directory so tests can see it start in the workspace and stop at the end of the run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

app = MCPServer("demo", log_level="WARNING")


@app.tool(annotations=ToolAnnotations(read_only_hint=True))
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@app.tool()
def write_note(path: str, text: str) -> str:
    """Write a note file in the working directory."""
    Path(path).write_text(text)
    return f"wrote {len(text)} characters to {path}"


@app.tool(annotations=ToolAnnotations(read_only_hint=True))
def env_value(key: str) -> str:
    """The value of an environment variable of the server."""
    return os.environ.get(key, "(unset)")


@app.tool()
def fail(reason: str) -> str:
    """Always fails."""
    raise ToolError(f"failed on purpose: {reason}")


@app.tool()
def crash() -> str:
    """Ends the server process."""
    os._exit(3)


if __name__ == "__main__":
    Path("mcp-server.pid").write_text(str(os.getpid()))
    if len(sys.argv) > 2 and sys.argv[1] == "--http":
        app.run("streamable-http", port=int(sys.argv[2]))
    else:
        app.run()
