"""After Ctrl-C stops a step: the tool calls of the last turn that got no result are answered as interrupted, so
the history stays valid (every call has exactly one result) and the next task in the REPL carries on from it."""

from __future__ import annotations

from .. import messages as msg
from ..messages import Message

INTERRUPTED_BY_USER = ("[interrupted: the user pressed Ctrl-C before this tool call finished; its effects may be "
                       "partial. Check them before repeating it.]")


def unanswered_results(messages: list[Message]) -> list[Message]:
    """Tool results that close the last assistant turn's unanswered calls (none when every call has one)."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].get("role") == "assistant":
            answered = {m.get("tool_call_id") for m in messages[i + 1:]}
            calls = messages[i].get("tool_calls") or []
            return [msg.tool_result(c["id"], INTERRUPTED_BY_USER) for c in calls if c["id"] not in answered]
    return []
