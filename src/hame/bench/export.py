"""Training-ready trajectories from session transcripts: `hame export SESSION... --format openai|sharegpt|hermes`.

One JSON object per session and line. Every format carries the same top-level fields beside its turns:
`model`, `tools` (OpenAI function schemas; a JSON string in ShareGPT, as LLaMA-Factory reads it), `reward`
(1.0 / 0.0 from the bench's last check, null when unchecked), `passed`, `usage` (token counts) and `metadata`.
The pydantic models below are the schema (`hame export --schema FORMAT` prints it); secrets are redacted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .. import __version__
from ..errors import UsageError
from ..session.store import find_session
from ..session.transcript import read_records
from ..tools import default_tools
from .chatformats import hermes_turns, sharegpt_turns
from .redact import redact_session

Format = Literal["openai", "sharegpt", "hermes"]
FORMATS: tuple[Format, ...] = ("openai", "sharegpt", "hermes")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FunctionCall(Strict):
    name: str
    arguments: str  # JSON text, as the OpenAI API carries it


class ToolCall(Strict):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class Message(Strict):
    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _tool_has_id(self) -> Message:
        if self.role == "tool" and not self.tool_call_id:
            raise ValueError("a tool message needs tool_call_id")
        return self


class FunctionSchema(Strict):
    name: str
    description: str
    parameters: dict[str, Any]


class ToolSchema(Strict):
    type: Literal["function"] = "function"
    function: FunctionSchema


class Usage(Strict):
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0


class Metadata(Strict):
    source: Literal["hame"] = "hame"
    hame_version: str
    session_id: str
    task: str
    steps: int
    stop_reason: str | None
    checks: int = Field(description="how many bench checks this session saw (one per attempt)")


class Common(Strict):
    model: str
    reward: float | None
    passed: bool | None
    usage: Usage
    metadata: Metadata


class OpenAITrajectory(Common):
    messages: list[Message]
    tools: list[ToolSchema]

    @model_validator(mode="after")
    def _one_result_per_call(self) -> OpenAITrajectory:
        calls = [c.id for m in self.messages for c in m.tool_calls or []]
        results = [m.tool_call_id or "" for m in self.messages if m.role == "tool"]
        if sorted(calls) != sorted(results):
            raise ValueError("every tool call needs exactly one tool message")
        return self


class Turn(Strict):
    from_: str = Field(alias="from")
    value: str
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ShareGPTTurn(Turn):
    from_: Literal["human", "gpt", "function_call", "observation"] = Field(alias="from")


class HermesTurn(Turn):
    from_: Literal["system", "human", "gpt", "tool"] = Field(alias="from")


class ShareGPTTrajectory(Common):
    system: str
    tools: str  # the tool schemas as a JSON string
    conversations: list[ShareGPTTurn]


class HermesTrajectory(Common):
    tools: list[ToolSchema]
    conversations: list[HermesTurn]


SCHEMAS: dict[str, type[Common]] = {"openai": OpenAITrajectory, "sharegpt": ShareGPTTrajectory,
                                    "hermes": HermesTrajectory}


def resolve(ref: str) -> Path:
    """A transcript path, or a session id / id prefix / `latest` from the state directory."""
    path = Path(ref)
    if path.suffix == ".jsonl" and path.is_file():
        return path
    return find_session(ref, Path.cwd()).transcript


def trajectory(transcript: Path, fmt: Format) -> Common:
    records = read_records(transcript)
    head = records[0] if records and records[0].get("type") == "session_start" else {}
    if not head:
        raise UsageError(f"{transcript} is not a hame session transcript")
    messages = complete_turns(whole_history(records))
    tools = [t.schema() for t in default_tools()]
    common = common_fields(records, head)
    if fmt == "openai":
        body: dict[str, Any] = {"messages": messages, "tools": tools}
    elif fmt == "sharegpt":
        system, turns = sharegpt_turns(messages)
        body = {"system": system, "tools": json.dumps(tools, ensure_ascii=False), "conversations": turns}
    else:
        body = {"tools": tools, "conversations": hermes_turns(messages, tools)}
    return SCHEMAS[fmt].model_validate(redact_session({**common, **body}, messages))


def common_fields(records: list[dict[str, Any]], head: dict[str, Any]) -> dict[str, Any]:
    checks = [r for r in records if r.get("type") == "check"]
    finals = [r for r in records if r.get("type") == "final"]
    turns = [r.get("usage") or {} for r in records if r.get("type") == "assistant"]
    usage = {k: sum(int(u.get(k) or 0) for u in turns) for k in ("input_tokens", "output_tokens", "cached_tokens")}
    passed = bool(checks[-1].get("passed")) if checks else None
    return {"model": str(head.get("model", "")), "reward": None if passed is None else float(passed),
            "passed": passed, "usage": usage,
            "metadata": {"hame_version": __version__, "session_id": str(head.get("session_id", "")),
                         "task": str(head.get("task", "")),
                         "steps": sum(r.get("type") == "model_request" for r in records),
                         "stop_reason": finals[-1].get("stop_reason") if finals else None, "checks": len(checks)}}


def whole_history(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every message of the session in order: the turns a compaction (the context limit, `/compact`) summarised
    stay, since a trajectory is the whole history; a restart's rebuilt history (tactics/restarts.py) is followed,
    since the later turns answer it and the attempts it set aside are not part of the solution."""
    history: list[dict[str, Any]] = []
    for r in records:
        if r.get("type") == "compaction" and r.get("tier") == "restart":
            history = list(r.get("messages") or [])
        elif r.get("type") == "message":
            history.append(r["message"])
    return history


def complete_turns(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history without a last assistant turn whose tool calls never got results (a run killed mid-turn)."""
    answered = {m.get("tool_call_id") for m in messages if m.get("role") == "tool"}
    for i in range(len(messages) - 1, -1, -1):
        calls = messages[i].get("tool_calls") or []
        if messages[i].get("role") == "assistant" and any(c.get("id") not in answered for c in calls):
            return messages[:i]
    return messages


def export(refs: list[str], fmt: Format) -> list[str]:
    """One JSON line per session."""
    return [trajectory(resolve(ref), fmt).model_dump_json(by_alias=True) for ref in refs]


def validate_line(line: str, fmt: Format) -> Common:
    return SCHEMAS[fmt].model_validate_json(line)


def json_schema(fmt: Format) -> dict[str, Any]:
    return SCHEMAS[fmt].model_json_schema(by_alias=True)
