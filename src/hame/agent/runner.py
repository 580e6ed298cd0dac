"""Running one tool call: look it up, validate its arguments, ask the gate, run it, clip what it returns.
Every failure becomes a result the model can act on; nothing here ends the run."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..context.clip import clip
from ..errors import ToolError
from ..events import Event, ToolCallStart, ToolResultEvent
from ..messages import ToolCall
from ..tools.base import Gate, Tool, ToolContext
from .protocol import Outcome


class ToolRunner:
    def __init__(self, tools: list[Tool], ctx: ToolContext, emit: Callable[[Event], None], gate: Gate | None,
                 max_output_chars: int, before_mutation: Callable[[int], None] | None = None) -> None:
        self.by_name = {t.name: t for t in tools}
        self.ctx = ctx
        self.emit = emit
        self.gate = gate
        self.max_output_chars = max_output_chars
        self.before_mutation = before_mutation  # e.g. a checkpoint of the workspace, once per step
        self.last_output: dict[str, tuple[str, int]] = {}  # read-only call -> (digest of its output, step)
        self.cap_chars: int | None = None  # this turn's room left in the context window (set by the loop)
        self.dedupe = True  # False: repeats show their full text again (a baseline for bench/context.py)

    def execute(self, call: ToolCall) -> Outcome:
        self.emit(ToolCallStart(step=self.ctx.step, call_id=call.id, name=call.name, arguments=call.arguments))
        try:
            text, ok = self._dedupe(call, self._run(call)), True
        except ToolError as exc:
            text, ok = f"Error: {exc}", False
        except Exception as exc:  # a bug in a tool must not end the run
            text, ok = f"Error: {call.name} failed unexpectedly: {type(exc).__name__}: {exc}", False
        full_path = None
        limit = min(self.max_output_chars, self.cap_chars or self.max_output_chars)
        if len(text) > limit:
            full_path = self._save(call, text)
            text = clip(text, limit, saved_as=full_path).text
        self.emit(ToolResultEvent(step=self.ctx.step, call_id=call.id, name=call.name, ok=ok, output=text,
                                  full_output_path=full_path))
        return Outcome(text, ok)

    def execute_all(self, calls: list[ToolCall]) -> list[tuple[ToolCall, Outcome]]:
        """Run a turn's calls in order; consecutive calls of a `concurrent` tool (subagents) run at once."""
        results: list[tuple[ToolCall, Outcome]] = []
        for group in self._groups(calls):
            results += zip(group, self._parallel(group) if len(group) > 1 else [self.execute(group[0])],
                           strict=True)
        return results

    def _groups(self, calls: list[ToolCall]) -> list[list[ToolCall]]:
        groups: list[list[ToolCall]] = []
        for call in calls:
            if groups and self._concurrent(call) and self._concurrent(groups[-1][-1]):
                groups[-1].append(call)
            else:
                groups.append([call])
        return groups

    def _concurrent(self, call: ToolCall) -> bool:
        tool = self.by_name.get(call.name)
        return tool is not None and tool.concurrent

    def _parallel(self, group: list[ToolCall]) -> list[Outcome]:
        pool = ThreadPoolExecutor(max_workers=len(group), thread_name_prefix="hame-call")
        try:
            return list(pool.map(self.execute, group))
        except KeyboardInterrupt:
            for call in group:
                self.by_name[call.name].cancel()
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, call: ToolCall) -> str:
        tool = self.by_name.get(call.name)
        if tool is None:
            raise ToolError(f"Unknown tool {call.name!r}. Available tools: {', '.join(self.by_name)}.")
        args = tool.validate(call.arguments)
        if self.gate is not None:
            refusal = self.gate(tool, args.model_dump())
            if refusal:
                raise ToolError(refusal)
        if tool.mutating and self.before_mutation is not None:
            self.before_mutation(self.ctx.step)
        return tool.run(args, self.ctx)

    def _dedupe(self, call: ToolCall, text: str) -> str:
        """A read-only call (or a shell command) repeated with the same result gets a short note instead of the
        same text again: the model already has it."""
        tool = self.by_name.get(call.name)
        if not self.dedupe:
            self.ctx.seen.clear()  # read_file's own "unchanged" note off too
        if tool is None or (tool.mutating and tool.name != "run_shell") or len(text) < 200 or not self.dedupe:
            return text
        key = call.name + json.dumps(call.arguments, sort_keys=True)
        digest = hashlib.sha1(text.encode()).hexdigest()
        seen = self.last_output.get(key)
        if seen and seen[0] == digest:
            return f"Same output as this identical call at step {seen[1]}; nothing changed."
        self.last_output[key] = (digest, self.ctx.step)
        return text

    def forget_outputs(self) -> None:
        """Called when earlier outputs leave the context (compaction): repeats must show the text again."""
        self.last_output.clear()
        self.ctx.seen.clear()

    def _save(self, call: ToolCall, text: str) -> str | None:
        out = self.ctx.outputs_dir
        if out is None:
            return None
        out.mkdir(parents=True, exist_ok=True)
        name = f"step{self.ctx.step:04d}-{call.name}-{hashlib.sha1(call.id.encode()).hexdigest()[:8]}.txt"
        path = out / name
        path.write_text(text, encoding="utf-8")
        return str(path)
