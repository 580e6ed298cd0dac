"""One tool of an MCP server as a hame Tool: named `mcp__<server>__<tool>`, its parameters the server's
inputSchema, arguments checked against that schema before the call, mutating unless the server marks it
`readOnlyHint`, and its result (text, structured content, or a note for images and resources) as text."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import jsonschema
import mcp_types
from pydantic import ConfigDict

from ..errors import ToolError
from ..tools.base import Args, Tool, ToolContext, _clean_schema

if TYPE_CHECKING:
    from .config import ServerConfig
    from .hub import McpHub

MAX_NAME = 64  # the longest tool name OpenAI-compatible servers and the Anthropic API accept
_BAD = re.compile(r"[^A-Za-z0-9_-]")


class McpArgs(Args):
    """Arguments of an MCP tool: whatever the schema allows, kept as given (the server validates too)."""

    model_config = ConfigDict(extra="allow")


def tool_name(server: str, tool: str) -> str:
    return f"mcp__{_BAD.sub('_', server)}__{_BAD.sub('_', tool)}"[:MAX_NAME]


class McpTool(Tool):
    Args = McpArgs

    def __init__(self, hub: McpHub, server: ServerConfig, spec: mcp_types.Tool) -> None:
        # per-instance name, description and mutating (class attributes on built-in tools)
        description = spec.description or spec.title or f"{spec.name} (a tool of the MCP server {server.name})"
        read_only = bool(spec.annotations and spec.annotations.read_only_hint)
        self.name = tool_name(server.name, spec.name)  # type: ignore[misc]
        self.description = description  # type: ignore[misc]
        self.mutating = not read_only  # type: ignore[misc]
        self.hub = hub
        self.server = server.name
        self.remote_name = spec.name
        self.schema_ = dict(spec.input_schema or {})

    def parameters(self) -> dict[str, Any]:
        params = _clean_schema(self.schema_)
        params.setdefault("type", "object")
        params.setdefault("properties", {})
        return params

    def validate(self, arguments: dict[str, Any] | None) -> McpArgs:
        if arguments is None:
            raise ToolError(f"Arguments for {self.name} must be a JSON object. Expected: {self.signature()}")
        problems = schema_problems(self.schema_, arguments)
        if problems:
            raise ToolError(f"Invalid arguments for {self.name}: {problems}. Expected: {self.signature()}")
        return McpArgs.model_validate(arguments)

    def run(self, args: Any, ctx: ToolContext) -> str:
        result = self.hub.call(self.server, self.remote_name, args.model_dump())
        text = render_result(result)
        if result.is_error:
            raise ToolError(text or f"{self.remote_name} reported an error without a message")
        return text or "(no output)"


def schema_problems(schema: dict[str, Any], arguments: dict[str, Any]) -> str:
    """What is wrong with `arguments` under the JSON `schema`, or "" (also when the schema itself is unusable)."""
    try:
        validator = jsonschema.validators.validator_for(schema)(schema)
        errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
    except (jsonschema.SchemaError, TypeError, ValueError):
        return ""
    return "; ".join(f"{'.'.join(map(str, e.path)) or 'arguments'}: {e.message}" for e in errors[:5])


def render_result(result: mcp_types.CallToolResult) -> str:
    parts = [_render(block) for block in result.content]
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return "\n".join(p for p in parts if p)


def _render(block: Any) -> str:
    kind = getattr(block, "type", "")
    if kind == "text":
        return str(block.text)
    if kind in ("image", "audio"):
        return f"[{kind} {block.mime_type}, {len(block.data) * 3 // 4} bytes, not shown]"
    if kind == "resource":
        res = block.resource
        text = getattr(res, "text", None)
        return text if text is not None else f"[binary resource {res.uri}, not shown]"
    if kind == "resource_link":
        return f"[resource {block.uri}" + (f": {block.name}]" if getattr(block, "name", None) else "]")
    return f"[{kind or type(block).__name__} content, not shown]"
