"""Tier 1 of compaction, as pure functions over message lists: old tool outputs are replaced by one-line stubs
while the last turns stay as they are. Works for native tool results (`role: tool`) and for the text protocols'
`<tool_response name="...">` blocks; a turn starts at an assistant message, so cutting there never separates a
tool call from its results."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from ..messages import Message
from .clip import clip

MIN_MASK_CHARS = 300  # shorter outputs cost about as much as their stub
STUB_PREFIX = "[output of "
RESPONSE_BLOCK = re.compile(r'(<tool_response name="([^"]*)">\n)(.*?)(\n</tool_response>)', re.DOTALL)


def turn_starts(messages: list[Message]) -> list[int]:
    """Indices of the assistant messages after the first message: where a turn (and a safe cut) begins."""
    return [i for i, m in enumerate(messages) if i > 0 and m.get("role") == "assistant"]


def keep_from(messages: list[Message], turns: int) -> int:
    """The index where the last `turns` turns begin (everything before it may be reduced)."""
    starts = turn_starts(messages)
    if turns <= 0:
        return len(messages)
    if len(starts) < turns:
        return starts[0] if starts else len(messages)
    return starts[-turns]


def mask_outputs(messages: list[Message], end: int, readonly: Collection[str]) -> tuple[list[Message], int]:
    """A copy of `messages` whose tool outputs before index `end` are stubs; also how many were replaced."""
    calls = call_index(messages)
    out: list[Message] = []
    count = 0
    for i, message in enumerate(messages):
        new = message if i >= end else mask_message(message, calls, readonly)
        count += new is not message
        out.append(new)
    return out, count


def mask_message(message: Message, calls: dict[str, str], readonly: Collection[str]) -> Message:
    """The message with its long tool output(s) stubbed, or the same object when nothing changes."""
    content = message.get("content")
    if not isinstance(content, str) or len(content) < MIN_MASK_CHARS:
        return message
    if message.get("role") == "tool":
        described = calls.get(str(message.get("tool_call_id")), "a tool call")
        return {**message, "content": stub(described, _name_of(described) in readonly)}
    if message.get("role") == "user" and "<tool_response" in content:
        masked = RESPONSE_BLOCK.sub(lambda m: _mask_block(m, readonly), content)
        return message if masked == content else {**message, "content": masked}
    return message


def _mask_block(match: re.Match[str], readonly: Collection[str]) -> str:
    head, name, body, tail = match.groups()
    if len(body) < MIN_MASK_CHARS or body.startswith(STUB_PREFIX):
        return match.group(0)
    return head + stub(name, name in readonly) + tail


def stub(described: str, repeatable: bool) -> str:
    again = "; call it again if needed" if repeatable else ""
    return f"{STUB_PREFIX}{described} removed to save context{again}]"


def call_index(messages: list[Message]) -> dict[str, str]:
    """tool_call_id -> a short description of the call, e.g. 'read_file(path=a.py)'."""
    found = {}
    for m in messages:
        for call in m.get("tool_calls") or []:
            fn = call.get("function") or {}
            found[str(call.get("id"))] = describe(str(fn.get("name", "?")), fn.get("arguments"))
    return found


def describe(name: str, arguments: Any, width: int = 80) -> str:
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            arguments = None
    if not isinstance(arguments, dict):
        return f"{name}()"
    args = ", ".join(f"{k}={_short(v)}" for k, v in arguments.items())
    return f"{name}({args if len(args) <= width else args[: width - 1] + '…'})"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


def _name_of(described: str) -> str:
    return described.split("(", 1)[0]


def clip_outputs(messages: list[Message], start: int, cut_chars: int) -> list[Message]:
    """Shorten the tool outputs from index `start` on by about `cut_chars` in all, each in proportion to its
    length, keeping head and tail (the last resort when even the last turn does not fit)."""
    total = sum(len(t) for m in messages[start:] for t in output_texts(m))
    if total == 0:
        return messages
    keep = max(0.0, 1 - cut_chars / total)
    return messages[:start] + [_clip_message(m, keep) for m in messages[start:]]


def _clip_message(message: Message, keep: float) -> Message:
    content = str(message.get("content") or "")
    if message.get("role") == "tool":
        return {**message, "content": _shorter(content, keep)}
    if message.get("role") == "user" and "<tool_response" in content:
        body = RESPONSE_BLOCK.sub(lambda m: m.group(1) + _shorter(m.group(3), keep) + m.group(4), content)
        return {**message, "content": body}
    return message


def _shorter(text: str, keep: float) -> str:
    return clip(text, max(200, int(len(text) * keep))).text


def output_texts(message: Message) -> list[str]:
    """The tool outputs a message carries (a tool result, or the blocks of a text-protocol result message)."""
    content = str(message.get("content") or "")
    if message.get("role") == "tool":
        return [content]
    if message.get("role") == "user" and "<tool_response" in content:
        return [m.group(3) for m in RESPONSE_BLOCK.finditer(content)]
    return []
