"""hame's OpenAI-format history as an Anthropic Messages API request: pure functions over dicts.

- system messages at the start become the separate `system` blocks; a later one becomes user text;
- assistant `tool_calls` become `tool_use` blocks, `tool` messages `tool_result` blocks in a user turn
  (first in that turn, as the API requires);
- consecutive turns of the same role are merged, empty text is dropped;
- prompt caching: `cache_control` on the last tool, the last system block (the stable prefix), the last block of
  the transcript, and the user turn where the previous request ended, so each request reads what the previous one
  wrote, however many blocks a turn added (the API looks back only 20 blocks from a breakpoint). At most 4.
"""

from __future__ import annotations

import re
from typing import Any

from ..messages import Message, parse_arguments
from .base import ModelRequest

Block = dict[str, Any]
Turn = dict[str, Any]
EPHEMERAL = {"type": "ephemeral"}
MAX_BREAKPOINTS = 4
_BAD_ID = re.compile(r"[^A-Za-z0-9_-]")


def request_params(model: str, request: ModelRequest, default_max_tokens: int) -> dict[str, Any]:
    """The keyword arguments of `client.messages.create` for one request, cache breakpoints included."""
    system, turns = convert_messages(request.messages)
    tools = convert_tools(request.tools)
    add_cache_breakpoints(system, tools, turns)
    params: dict[str, Any] = {"model": model, "max_tokens": request.max_tokens or default_max_tokens,
                              "messages": turns}
    if system:
        params["system"] = system
    if tools:
        params["tools"] = tools
    if request.temperature is not None:
        params["temperature"] = min(max(request.temperature, 0.0), 1.0)
    return params


def convert_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI function schemas as Anthropic tools (`input_schema` is the JSON schema of the arguments)."""
    out = []
    for tool in tools:
        fn = tool.get("function", tool)
        schema = dict(fn.get("parameters") or {})
        schema.setdefault("type", "object")
        entry: dict[str, Any] = {"name": fn["name"], "input_schema": schema}
        if fn.get("description"):
            entry["description"] = fn["description"]
        out.append(entry)
    return out


def convert_messages(messages: list[Message]) -> tuple[list[Block], list[Turn]]:
    """(system blocks, alternating user / assistant turns)."""
    system: list[Block] = []
    turns: list[Turn] = []
    for message in messages:
        if message.get("role") == "system" and not turns:
            system += _text_blocks(message.get("content"))
            continue
        role, blocks = _convert(message)
        if not blocks:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += blocks
        else:
            turns.append({"role": role, "content": blocks})
    for turn in turns:
        if turn["role"] == "user":  # tool results first, then any text (stable sort)
            turn["content"].sort(key=lambda b: b["type"] != "tool_result")
    return system, turns


def _convert(message: Message) -> tuple[str, list[Block]]:
    role = message.get("role")
    if role == "tool":
        return "user", [_tool_result(message)]
    if role == "assistant":
        blocks = _text_blocks(message.get("content"))
        return "assistant", blocks + [_tool_use(c) for c in message.get("tool_calls") or []]
    return "user", _text_blocks(message.get("content"))


def _text_blocks(content: Any) -> list[Block]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content.strip() else []
    parts = content if isinstance(content, list) else []
    return [{"type": "text", "text": p["text"]} for p in parts
            if isinstance(p, dict) and p.get("type") == "text" and str(p.get("text", "")).strip()]


def _tool_use(call: dict[str, Any]) -> Block:
    fn = call.get("function", {})
    arguments = parse_arguments(fn.get("arguments"))
    return {"type": "tool_use", "id": tool_id(call.get("id", "")), "name": fn.get("name", ""),
            "input": arguments if arguments is not None else {}}


def _tool_result(message: Message) -> Block:
    content = message.get("content")
    text = content if isinstance(content, str) else " ".join(b["text"] for b in _text_blocks(content))
    block: Block = {"type": "tool_result", "tool_use_id": tool_id(message.get("tool_call_id", "")),
                    "content": text or "(no output)"}
    if text.startswith("Error: "):
        block["is_error"] = True
    return block


def tool_id(raw: str) -> str:
    """A call id in the form the API accepts (`^[a-zA-Z0-9_-]+$`), the same for a tool_use and its result."""
    return _BAD_ID.sub("_", raw) or "call"


def add_cache_breakpoints(system: list[Block], tools: list[dict[str, Any]], turns: list[Turn]) -> None:
    targets: list[dict[str, Any]] = []
    if tools:
        targets.append(tools[-1])
    if system:
        targets.append(system[-1])
    if turns:
        targets.append(turns[-1]["content"][-1])
        previous = _previous_request_end(turns)
        if previous is not None:
            targets.append(turns[previous]["content"][-1])
    for target in targets[:MAX_BREAKPOINTS]:
        target["cache_control"] = dict(EPHEMERAL)


def _previous_request_end(turns: list[Turn]) -> int | None:
    """The user turn just before the last assistant turn: where the previous request ended."""
    for i in range(len(turns) - 2, 0, -1):
        if turns[i]["role"] == "assistant" and turns[i - 1]["role"] == "user":
            return i - 1
    return None
