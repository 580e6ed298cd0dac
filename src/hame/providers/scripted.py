"""A deterministic model for tests and demos: `--model scripted:FILE`.

FILE is JSONL, one model turn per line:
  {"content": "...", "tool_calls": [{"name": "read_file", "arguments": {"path": "a.py"}}]}   native tool calls
  {"content": "all done"}                                                                    a final answer
  {"text": "<tool_call>{...}</tool_call>"}        raw model text, parsed by hame's text tool-call parser
  {"infill": "    return a + b\n"}                  a fill-in-the-middle reply, taken in order
                                                  by fill requests only; a script with none cannot fill
Every request it receives is appended, exactly as an OpenAI-compatible server would receive it, to FILE.requests.jsonl
(a side request, e.g. a subagent's, also carries "id_slot": 1). Subagent N (numbered in order of creation) reads
FILE.child-N.jsonl when it exists, else it takes turns from FILE like the main agent (one lock, one log).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from ..errors import ProviderError, UsageError
from ..messages import ModelResponse, ToolCall, Usage, compact_json, estimate_tokens, new_call_id, parse_arguments
from .base import InfillReply, InfillRequest, ModelRequest, TextCallback


class ScriptedModel:
    def __init__(self, path: str, context_window: int | None = None) -> None:
        self.path = Path(path).expanduser()
        self.name = f"scripted:{path}"
        self.context_window = context_window
        loaded = self._load()
        self.turns = [t for t in loaded if "infill" not in t]
        self.fills = [str(t["infill"]) for t in loaded if "infill" in t]
        self.can_infill = bool(self.fills)
        self.log = Path(str(self.path) + ".requests.jsonl")
        self.index = 0
        self.lock = threading.Lock()

    def for_child(self, n: int) -> ScriptedModel:
        """The model subagent `n` talks to: its own script FILE.child-N.jsonl when there is one, else this one."""
        own = self.path.with_name(f"{self.path.name}.child-{n}.jsonl")
        return ScriptedModel(str(own), self.context_window) if own.is_file() else self

    def _load(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"cannot read scripted model file {self.path}: {exc.strerror}") from None
        turns = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                turn = json.loads(line)
            except ValueError as exc:
                raise UsageError(f"{self.path}:{n}: not valid JSON ({exc})") from None
            if not isinstance(turn, dict):
                raise UsageError(f"{self.path}:{n}: each line must be a JSON object")
            turns.append(turn)
        return turns

    def complete(self, request: ModelRequest, on_text: TextCallback | None = None) -> ModelResponse:
        with self.lock:  # subagents may call from several threads
            turn = self._next(request)
        text = str(turn.get("text", turn.get("content")) or "")
        calls = [_call(c) for c in turn.get("tool_calls") or []]
        if on_text and text:
            on_text(text)
        prompt = estimate_tokens(json.dumps(request.wire(), ensure_ascii=False))
        usage = Usage(prompt, estimate_tokens(text + json.dumps([c.to_openai() for c in calls])), 0,
                      estimated_input_tokens=prompt)
        return ModelResponse(text=text, tool_calls=calls, usage=usage,
                             finish_reason="tool_calls" if calls else "stop")

    def infill(self, request: InfillRequest) -> InfillReply:
        """The script's next fill; an empty one once they are used up (the search then ends empty-handed)."""
        with self.lock:
            self._log({"infill": {"prefix": request.prefix, "suffix": request.suffix, "extra": request.extra,
                                  "temperature": request.temperature}})
            text = self.fills.pop(0) if self.fills else ""
        return InfillReply(text, False, estimate_tokens(request.prefix + request.suffix), 0, estimate_tokens(text))

    def _log(self, record: dict[str, Any]) -> None:
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _next(self, request: ModelRequest) -> dict[str, Any]:
        self._log(request.wire() if request.slot is None else {**request.wire(), "id_slot": request.slot})
        if self.index >= len(self.turns):
            raise ProviderError(f"scripted model {self.path} has no turn {self.index + 1} "
                                f"(the script has {len(self.turns)} turns)")
        self.index += 1
        return self.turns[self.index - 1]

    def close(self) -> None:
        pass


def _call(spec: dict[str, Any]) -> ToolCall:
    raw = spec.get("arguments", {})
    raw_text = raw if isinstance(raw, str) else compact_json(raw)
    return ToolCall(id=spec.get("id") or new_call_id(), name=str(spec.get("name", "")),
                    arguments=parse_arguments(raw), raw_arguments=raw_text)
