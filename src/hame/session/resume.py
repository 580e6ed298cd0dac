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
        elif r.get("type") == "message":
            history.append(r["message"])
    steps = max((int(r.get("step", 0)) for r in records if r.get("type") == "model_request"), default=0)
    return history, steps


def unfinished_turn(records: list[dict[str, Any]], history: list[Message]) -> list[Message]:
    """Messages that close a turn cut short by a kill: results already computed are taken from the transcript
    (never re-run), calls that never finished are reported as interrupted."""
    if not history or history[-1].get("role") != "assistant":
        return []
    last = history[-1]
    results = {r["call_id"]: r["output"] for r in records if r.get("type") == "tool_result"}
    if last.get("tool_calls"):
        return [msg.tool_result(c["id"], results.get(c["id"], INTERRUPTED))
                for c in last["tool_calls"]]
    step = max((int(r.get("step", 0)) for r in records if r.get("type") == "message"), default=0)
    calls = [r for r in records if r.get("type") == "tool_call" and int(r.get("step", -1)) == step]
    if not calls:
        return []
    blocks = [f'<tool_response name="{c["name"]}">\n{results.get(c["call_id"], INTERRUPTED)}\n</tool_response>'
              for c in calls]
    return [msg.user("\n".join(blocks))]


def load(path: Path) -> tuple[list[Message], int, dict[str, Any], list[Message]]:
    """History, steps, the session_start record, and the messages that close an interrupted turn."""
    repair_torn_tail(path)
    records = read_records(path)
    head = records[0] if records and records[0].get("type") == "session_start" else {}
    history, steps = rebuild(records)
    return history, steps, head, unfinished_turn(records, history)
