"""Tier 2 of compaction, the pure parts: old turns rendered as plain text for the model that summarises them,
a check that what it wrote is usable, and the deterministic summary used when it is not."""

from __future__ import annotations

import re

from ..messages import Message
from .clip import clip
from .masking import RESPONSE_BLOCK, describe, output_texts

OUTPUT_CHARS = 1200  # of each tool output shown to the summariser
MIN_SUMMARY_CHARS = 40
TOOL_CALL_TEXT = re.compile(r"<tool_call>|^\s*\{\s*\"name\"\s*:", re.MULTILINE)
ERROR_CHARS = 240
SUMMARY_MARK = "[context compacted"  # how a compaction's summary message starts
FAILED = re.compile(r"^(Error|\[exit code [1-9]|\[exit code -|\[killed after)")


def render_turns(messages: list[Message], max_chars: int) -> str:
    """The messages as a plain-text log, each tool output clipped, the whole clipped to `max_chars`."""
    lines = [_render(m) for m in messages]
    return clip("\n\n".join(line for line in lines if line), max_chars).text


def _render(message: Message) -> str:
    role = str(message.get("role", "?")).upper()
    content = str(message.get("content") or "")
    if role == "TOOL":
        return f"TOOL RESULT:\n{clip(content, OUTPUT_CHARS).text}"
    if role == "USER" and "<tool_response" in content:
        content = RESPONSE_BLOCK.sub(lambda m: m.group(1) + clip(m.group(3), OUTPUT_CHARS).text + m.group(4),
                                     content)
    calls = [describe(str((c.get("function") or {}).get("name", "?")), (c.get("function") or {}).get("arguments"),
                      width=200) for c in message.get("tool_calls") or []]
    text = "\n".join([clip(content, 4 * OUTPUT_CHARS).text] * bool(content) + [f"CALL {c}" for c in calls])
    return f"{role}:\n{text}" if text else ""


def usable(text: str, max_chars: int) -> str | None:
    """The summary the model wrote, trimmed to `max_chars`, or None when it is empty, too short or a tool call."""
    text = (text or "").strip()
    if len(text) < MIN_SUMMARY_CHARS or TOOL_CALL_TEXT.search(text):
        return None
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def fallback(task: str, files: list[str], messages: list[Message]) -> str:
    """A summary built without the model: the task, the files changed, the calls made and the last errors."""
    lines = [f"Task: {' '.join(task.split())[:600] or '(unknown)'}",
             f"Files changed: {', '.join(files) if files else 'none yet'}"]
    calls = [describe(str((c.get("function") or {}).get("name", "?")), (c.get("function") or {}).get("arguments"))
             for m in messages for c in m.get("tool_calls") or []]
    if calls:
        lines.append(f"Tool calls made ({len(calls)}), the last ones: " + "; ".join(calls[-8:]))
    errors = last_errors(messages)
    if errors:
        lines.append("Last errors:\n" + "\n".join(f"- {e}" for e in errors))
    return "\n".join(lines)


def last_errors(messages: list[Message], n: int = 3) -> list[str]:
    """The first line of the last `n` tool results that were errors or failing commands."""
    found = []
    for m in messages:
        found += _earlier_errors(m)
        for text in output_texts(m):
            if FAILED.match(text.strip()):
                found.append(_gist(text.strip())[:ERROR_CHARS])
    return found[-n:]


def _earlier_errors(message: Message) -> list[str]:
    """The errors listed by an earlier fallback summary, so they survive the next compaction too."""
    content = str(message.get("content") or "")
    if message.get("role") != "user" or not content.startswith(SUMMARY_MARK) or "Last errors:\n" not in content:
        return []
    block = content.split("Last errors:\n", 1)[1].split("\n\n", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("- ")]


def _gist(text: str) -> str:
    """The status line, plus the last line of a failing command's output (often the error itself)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if len(lines) == 1 else f"{lines[0]} … {lines[-1]}"
