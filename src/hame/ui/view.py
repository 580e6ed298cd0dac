"""What the interactive REPL shows while a task runs: an event sink that prints tool calls, colored diffs and
notices for good, and keeps a live region at the bottom with the streaming answer and a spinner (phase, elapsed
time, tokens, cost). The live region is paused while an approval question is asked."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.markdown import Markdown
from rich.padding import Padding
from rich.spinner import Spinner
from rich.text import Text

from ..agent.limits import Meter
from ..events import (
    AssistantTurn,
    ErrorEvent,
    Event,
    Final,
    ModelProgress,
    ModelRequest,
    Notice,
    TextDelta,
    ToolCallStart,
    ToolResultEvent,
)
from ..messages import estimate_tokens
from ..session.memory import MARKS
from .diffs import FileDiffs, diff_text
from .mdstream import MarkdownStream
from .status import cost, progress_text, tokens, working_line


class TaskView:
    def __init__(self, console: Console, meter: Meter | None = None) -> None:
        self.console = console
        self.meter = meter or Meter(None)
        self.diffs: FileDiffs | None = None
        self.stream_text = True  # False for constrained tool calls: the stream is JSON, not prose
        self.stream = MarkdownStream(console)
        self.spinner = Spinner("dots", style="cyan")
        self.live: Live | None = None
        self.phase, self.since, self.sent, self.received = "thinking", time.monotonic(), 0, 0
        self.server: ModelProgress | None = None  # what the server last reported about the request in flight
        self.current_call: str | None = None
        self.previewed: set[str] = set()
        self.last_streamed = ""

    def bind(self, meter: Meter, diffs: FileDiffs, stream_text: bool) -> None:
        self.meter, self.diffs, self.stream_text = meter, diffs, stream_text

    # the live region

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.stream.tail
        elapsed = time.monotonic() - self.since
        thinking = self.phase.endswith("thinking")
        inflight = (self.sent, self.received) if thinking else None
        phase = f"{self.phase} · {progress_text(self.server)}" if thinking and self.server else self.phase
        self.spinner.update(text=Text(working_line(phase, elapsed, self.meter, inflight), style="dim"))
        yield self.spinner

    def busy(self, phase: str) -> None:
        self.phase, self.since = phase, time.monotonic()
        if self.live is None:
            self.live = Live(self, console=self.console, refresh_per_second=10, transient=True,
                             redirect_stdout=False, redirect_stderr=False)
            self.live.start()

    def idle(self) -> None:
        if self.live is not None:
            live, self.live = self.live, None
            live.stop()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Stop the live region (e.g. to ask a question); the call being asked about is not diffed again."""
        was_busy = self.live is not None
        self.idle()
        if self.current_call:
            self.previewed.add(self.current_call)
        try:
            yield
        finally:
            if was_busy:
                self.busy(self.phase)

    # events

    def __call__(self, event: Event) -> None:
        handler = HANDLERS.get(type(event).__name__)
        if handler is not None:
            handler(self, event)

    def _request(self, event: ModelRequest) -> None:
        self.sent, self.received, self.server = event.est_tokens, 0, None
        self.busy(f"step {event.step} · thinking")

    def _progress(self, event: ModelProgress) -> None:
        self.server = event
        if event.stage == "generate":
            self.received = event.done  # the server's count, not an estimate

    def _delta(self, event: TextDelta) -> None:
        if self.server is None or self.server.stage == "prompt":
            self.received += estimate_tokens(event.text)
        if self.stream_text:
            self.stream.add(event.text)

    def _turn(self, event: AssistantTurn) -> None:
        self.last_streamed = self.stream.end()
        step_cost = self.meter.cost_of(event.usage)
        self.console.print(Text(f"  step {event.step} · ↑{tokens(event.usage.get('input_tokens', 0))} "
                                f"↓{tokens(event.usage.get('output_tokens', 0))} tok · {cost(step_cost)}",
                                style="dim"))

    def _call(self, event: ToolCallStart) -> None:
        self.current_call = event.call_id
        if self.diffs:
            self.diffs.started(event)
        self.console.print(Text.assemble(("● ", "cyan"), (event.name, "bold"), " ", (call_args(event), "")))
        self.busy(f"step {event.step} · running {event.name}")

    def _result(self, event: ToolResultEvent) -> None:
        diff = self.diffs.finished(event) if self.diffs else None
        first = event.output.strip().splitlines()[0][:160] if event.output.strip() else "(no output)"
        n = event.output.count("\n") + 1
        more = f" (+{n - 1} lines)" if n > 1 and event.ok else ""
        self.console.print(Text(f"  ⎿ {first}{more}", style="dim" if event.ok else "red"))
        if diff and event.call_id not in self.previewed:
            self.console.print(Padding(diff_text(diff), (0, 0, 0, 4)))
        self.current_call = None
        self.busy(f"step {event.step} · thinking")

    def _notice(self, event: Notice) -> None:
        self.console.print(Text(f"hame: {event.text}", style="yellow"))

    def _error(self, event: ErrorEvent) -> None:
        self.console.print(Text(f"hame: error: {event.message}", style="bold red"))

    def _final(self, event: Final) -> None:
        self.idle()
        self.last_streamed += self.stream.end()
        answer = event.result.strip()
        if answer and answer != self.last_streamed.strip():
            self.console.print(Markdown(answer))
        self.last_streamed = ""

    def _todo(self, event: Any) -> None:
        """The agent's todo list, whole, each time it changes: done items dimmed, the current one bold."""
        styles = {"done": "dim", "in_progress": "bold", "pending": ""}
        lines = [Text("  todo", style="cyan")]
        for item in getattr(event, "items", []):
            status = item.get("status", "pending")
            lines.append(Text(f"    [{MARKS.get(status, ' ')}] {item.get('text', '')}", style=styles.get(status, "")))
        self.console.print(*lines, sep="\n")

    def _nested(self, event: Any) -> None:
        """A subagent's event (delegation): its tool calls, indented."""
        inner = getattr(event, "event", None)
        if isinstance(inner, ToolCallStart):
            self.console.print(Text(f"    ↳ [{getattr(event, 'agent', '?')}] {inner.name} {call_args(inner)}",
                                    style="dim"))

    def _subagent(self, event: Any) -> None:
        task = str(getattr(event, "task", "")).strip().splitlines()
        self.console.print(Text(f"  ↳ subagent {getattr(event, 'agent', '?')}: {task[0][:120] if task else ''}",
                                style="cyan"))


HANDLERS = {"ModelRequest": TaskView._request, "ModelProgress": TaskView._progress, "TextDelta": TaskView._delta,
            "AssistantTurn": TaskView._turn,
            "ToolCallStart": TaskView._call, "ToolResultEvent": TaskView._result, "Notice": TaskView._notice,
            "ErrorEvent": TaskView._error, "Final": TaskView._final, "SubagentEvent": TaskView._nested,
            "SubagentStart": TaskView._subagent, "TodoUpdate": TaskView._todo}


def call_args(event: ToolCallStart) -> str:
    args = event.arguments
    if args is None:
        return "(arguments are not valid JSON)"
    if event.name == "run_shell" and isinstance(args.get("command"), str):
        return "$ " + args["command"][:200]
    shown = {k: (v if not isinstance(v, str) or len(v) <= 60 else v[:57] + "...") for k, v in args.items()}
    return json.dumps(shown, ensure_ascii=False)[:200]
