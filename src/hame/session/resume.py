"""Rebuilding a session's exact message history from its transcript, after any kind of exit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import messages as msg
from ..messages import Message
from .transcript import read_records

INTERRUPTED = ("[interrupted: hame was stopped before this tool call finished; it was NOT re-run. "
               "Check its effects (e.g. list or read the files) before repeating it.]")


def repair_torn_tail(path: Path) -> bool:
    """Drop a last line that was cut mid-write (no newline). Returns True when something was dropped."""
    with open(path, "rb+") as fh:
        data = fh.read()
        if not data or data.endswith(b"\n"):
            return False
        fh.truncate(data.rfind(b"\n") + 1)
        fh.flush()
        os.fsync(fh.fileno())
        return True


def rebuild(records: list[dict[str, Any]]) -> tuple[list[Message], int]:
    """The message history as it was last sent or appended, and the number of steps taken. A `compaction`
    record replaces the history with its messages; later `message` records extend it."""
    history: list[Message] = []
    for r in records:
        if r.get("type") == "compaction":
            history = list(r.get("messages") or [])
        elif r.get("type") == "message" and _is_message(r.get("message")):
            history.append(r["message"])
    steps = max((_int(r.get("step")) for r in records if r.get("type") == "model_request"), default=0)
    return history, steps


def _is_message(m: object) -> bool:
    return isinstance(m, dict) and isinstance(m.get("role"), str)


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return 0


def damage_notice(path: Path) -> str | None:
    """A notice naming the transcript lines a resume skipped (not records, or messages without their payload)."""
    damaged: list[int] = []
    records = read_records(path, damaged)
    damaged += [i for i, r in enumerate(records, 1) if r.get("type") == "message" and not _is_message(r.get("message"))]
    if not damaged:
        return None
    return f"{path}: skipped {len(damaged)} damaged transcript record(s) while resuming"


def unfinished_turn(records: list[dict[str, Any]], history: list[Message]) -> list[Message]:
    """Messages that close a turn cut short by a kill: results already computed are taken from the transcript
    (never re-run), calls that never finished are reported as interrupted."""
    results = {r.get("call_id"): r.get("output") for r in records if r.get("type") == "tool_result"}
    if open_calls := _unanswered(history):
        return [msg.tool_result(c["id"], str(results.get(c["id"]) or INTERRUPTED)) for c in open_calls]
    if not history or history[-1].get("role") != "assistant" or history[-1].get("tool_calls"):
        return []
    step = max((_int(r.get("step")) for r in records if r.get("type") == "message"), default=0)
    calls = [r for r in records if r.get("type") == "tool_call" and _int(r.get("step", -1)) == step]
    if not calls:
        return []
    blocks = [f'<tool_response name="{c["name"]}">\n{results.get(c["call_id"], INTERRUPTED)}\n</tool_response>'
              for c in calls]
    return [msg.user("\n".join(blocks))]


def _unanswered(history: list[Message]) -> list[dict[str, Any]]:
    """The calls of the last assistant turn with tool calls that have no tool message after it (a kill between
    two tool results of one turn leaves the later ones missing), when only tool messages follow that turn."""
    for i in range(len(history) - 1, -1, -1):
        m = history[i]
        if m.get("role") == "assistant" and m.get("tool_calls"):
            after = history[i + 1 :]
            if any(x.get("role") != "tool" for x in after):
                return []
            answered = {x.get("tool_call_id") for x in after}
            return [c for c in m["tool_calls"] if isinstance(c, dict) and c.get("id") not in answered]
        if m.get("role") != "tool":
            return []
    return []


def load(path: Path) -> tuple[list[Message], int, dict[str, Any], list[Message]]:
    """History, steps, the session_start record, and the messages that close an interrupted turn."""
    repair_torn_tail(path)
    records = read_records(path)
    head = records[0] if records and records[0].get("type") == "session_start" else {}
    history, steps = rebuild(records)
    return history, steps, head, unfinished_turn(records, history)
