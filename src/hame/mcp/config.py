"""The `[mcp.servers.NAME]` tables of the config: a stdio server (`command`, `args`, `env`) or a streamable-HTTP
one (`url`, `headers`), validated at the edge so a typo is an error naming the key."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import UsageError


class ServerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    command: str | None = None
    args: list[str] = []
    env: dict[str, str] = {}
    url: str | None = None
    headers: dict[str, str] = {}
    enabled: bool = True
    timeout: float = Field(120.0, gt=0, description="seconds a tool call may take")
    startup_timeout: float = Field(30.0, gt=0, description="seconds to start the server and list its tools")

    @model_validator(mode="after")
    def _one_transport(self) -> ServerConfig:
        if bool(self.command) == bool(self.url):
            raise ValueError("set either command (a stdio server) or url (a streamable-HTTP server)")
        return self

    @property
    def transport(self) -> str:
        return "stdio" if self.command else "http"


def parse_servers(table: dict[str, Any] | None) -> list[ServerConfig]:
    """The enabled servers of an `[mcp]` table; raises UsageError naming the bad key."""
    table = table or {}
    unknown = set(table) - {"servers"}
    if unknown:
        raise UsageError(f"[mcp]: unknown key {sorted(unknown)[0]!r}; servers go in [mcp.servers.NAME] tables")
    servers = []
    for name, entry in (table.get("servers") or {}).items():
        if not isinstance(entry, dict):
            raise UsageError(f"[mcp.servers.{name}] must be a table with command = ... or url = ...")
        try:
            server = ServerConfig.model_validate({**entry, "name": name})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'table'}: {e['msg']}" for e in exc.errors())
            raise UsageError(f"[mcp.servers.{name}]: {problems}") from None
        if server.enabled:
            servers.append(server)
    return servers
