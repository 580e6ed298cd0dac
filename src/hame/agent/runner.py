"""Running one tool call: look it up, validate its arguments, ask the gate, run it, clip what it returns.
Every failure becomes a result the model can act on; nothing here ends the run."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from ..context.clip import clip
from ..errors import ToolError
from ..events import Event, ToolCallStart, ToolResultEvent
from ..messages import ToolCall
from ..tools.base import Tool, ToolContext
from .protocol import Outcome

Gate = Callable[[Tool, dict[str, Any]], str | None]


class ToolRunner:
    def __init__(self, tools: list[Tool], ctx: ToolContext, emit: Callable[[Event], None], gate: Gate | None,
                 max_output_chars: int) -> None:
        self.by_name = {t.name: t for t in tools}
        self.ctx = ctx
        self.emit = emit
        self.gate = gate
        self.max_output_chars = max_output_chars

    def execute(self, call: ToolCall) -> Outcome:
        self.emit(ToolCallStart(step=self.ctx.step, call_id=call.id, name=call.name, arguments=call.arguments))
        try:
            text, ok = self._run(call), True
        except ToolError as exc:
            text, ok = f"Error: {exc}", False
        except Exception as exc:  # a bug in a tool must not end the run
            text, ok = f"Error: {call.name} failed unexpectedly: {type(exc).__name__}: {exc}", False
        full_path = None
        if len(text) > self.max_output_chars:
            full_path = self._save(call, text)
            text = clip(text, self.max_output_chars, saved_as=full_path).text
        self.emit(ToolResultEvent(step=self.ctx.step, call_id=call.id, name=call.name, ok=ok, output=text,
                                  full_output_path=full_path))
        return Outcome(text, ok)

    def _run(self, call: ToolCall) -> str:
        tool = self.by_name.get(call.name)
        if tool is None:
            raise ToolError(f"Unknown tool {call.name!r}. Available tools: {', '.join(self.by_name)}.")
        args = tool.validate(call.arguments)
        if self.gate is not None:
            refusal = self.gate(tool, args.model_dump())
            if refusal:
                raise ToolError(refusal)
        return tool.run(args, self.ctx)

    def _save(self, call: ToolCall, text: str) -> str | None:
        out = self.ctx.outputs_dir
        if out is None:
            return None
        out.mkdir(parents=True, exist_ok=True)
        name = f"step{self.ctx.step:04d}-{call.name}-{hashlib.sha1(call.id.encode()).hexdigest()[:8]}.txt"
        path = out / name
        path.write_text(text, encoding="utf-8")
        return str(path)
