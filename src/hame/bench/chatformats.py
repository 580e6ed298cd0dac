"""OpenAI chat messages → ShareGPT turns (LLaMA-Factory's function-calling layout) and Hermes turns
(NousResearch's `<tool_call>` / `<tool_response>` layout). Pure functions over message dicts."""

from __future__ import annotations

import json
from typing import Any

Turn = dict[str, str]
PROMPT_SIDE = {"human", "observation", "tool"}


def call_json(call: dict[str, Any]) -> dict[str, Any]:
    """`{"name", "arguments"}` of an OpenAI tool call; arguments that are not a JSON object stay a string."""
    fn = call.get("function") or {}
    raw = fn.get("arguments") or "{}"
    try:
        args: Any = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        args = raw
    return {"name": fn.get("name", ""), "arguments": args}


def sharegpt_turns(messages: list[dict[str, Any]]) -> tuple[str, list[Turn]]:
    """The system prompt and the alternating turns: human/observation, then gpt/function_call."""
    system = "\n\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "system")
    turns: list[Turn] = []
    for m in messages:
        role = m.get("role")
        if role == "user":
            turns.append({"from": "human", "value": str(m.get("content") or "")})
        elif role == "tool":
            turns.append({"from": "observation", "value": str(m.get("content") or "")})
        elif role == "assistant" and m.get("tool_calls"):
            calls = [call_json(c) for c in m["tool_calls"]]
            turns.append({"from": "function_call", "value": json.dumps(calls[0] if len(calls) == 1 else calls,
                                                                        ensure_ascii=False)})
        elif role == "assistant":
            turns.append({"from": "gpt", "value": str(m.get("content") or "")})
    return system, merge_same_side(turns)


def hermes_turns(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> list[Turn]:
    """Hermes function-calling turns: the tool schemas inside <tools> in the system turn, calls in <tool_call>
    tags in gpt turns, results in <tool_response> tags in tool turns."""
    system = "\n\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "system")
    schemas = "\n".join(json.dumps(t, ensure_ascii=False) for t in tools)
    turns: list[Turn] = [{"from": "system", "value": f"{system}\n\n<tools>\n{schemas}\n</tools>".strip()}]
    names = {c.get("id"): call_json(c)["name"] for m in messages for c in m.get("tool_calls") or []}
    for m in messages:
        role = m.get("role")
        if role == "user":
            turns.append({"from": "human", "value": str(m.get("content") or "")})
        elif role == "tool":
            name = m.get("name") or names.get(m.get("tool_call_id"), "")  # tool messages carry only the call's id
            body = json.dumps({"name": name, "content": m.get("content") or ""}, ensure_ascii=False)
            turns.append({"from": "tool", "value": f"<tool_response>\n{body}\n</tool_response>"})
        elif role == "assistant":
            turns.append({"from": "gpt", "value": _hermes_assistant(m)})
    return turns[:1] + merge_same_side(turns[1:])


def _hermes_assistant(m: dict[str, Any]) -> str:
    parts = [str(m.get("content") or "").strip()]
    for call in m.get("tool_calls") or []:
        parts.append(f"<tool_call>\n{json.dumps(call_json(call), ensure_ascii=False)}\n</tool_call>")
    return "\n".join(p for p in parts if p)


def merge_same_side(turns: list[Turn]) -> list[Turn]:
    """Join neighbouring turns from the same side (several tool results, a note after them) into one, so the
    turns alternate prompt side / model side as trainers expect. The first turn's `from` is kept."""
    out: list[Turn] = []
    for turn in turns:
        if out and (out[-1]["from"] in PROMPT_SIDE) == (turn["from"] in PROMPT_SIDE):
            out[-1] = {"from": out[-1]["from"], "value": out[-1]["value"] + "\n\n" + turn["value"]}
        else:
            out.append(turn)
    return out
