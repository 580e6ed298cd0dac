"""Compaction: when the next request would pass the budget's trigger, the history is reduced deliberately, once,
in tiers — tier 1 stubs old tool outputs, tier 2 replaces old turns with a summary written by the model in a side
request (slot 1, so a local server keeps the main KV cache), or by a deterministic fallback when it cannot. The
last turns stay verbatim; the instruction files, the working memory and the user's latest request are put back
after the summary. A `compaction` event records the whole new history; the transcript keeps everything before.

Between compactions every request extends the previous one. The same budget also caps each new tool output to
the room left (runaway protection) and gives the model a short note on how full its context is."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Any

from .. import messages as msg
from ..errors import ProviderError
from ..events import Compaction, Event, Notice
from ..messages import Message, Usage
from ..providers.base import ModelRequest, Provider
from ..session.memory import WorkingMemory, brief, render
from .budget import MIN_OUTPUT_CHARS, Budget, request_tokens, short
from .masking import clip_outputs, keep_from, mask_outputs, turn_starts
from .prompt import load_prompt
from .summary import SUMMARY_MARK, fallback, render_turns, usable

KEEP_TURNS = 3
INSTRUCTIONS_PREFIX = "# More instructions (AGENTS.md)"  # what app.py appends for a subdirectory's AGENTS.md
HEADER = (SUMMARY_MARK + " at step {step}: the turns before this point were replaced by this summary; "
          "the full transcript is kept on disk]")
OUTPUT_OVERHEAD = 30  # tokens of JSON around one tool result


@dataclass
class Compacted:
    messages: list[Message]
    usage: Usage = field(default_factory=Usage)


class Compactor:
    def __init__(self, provider: Provider, budget: Budget, emit: Callable[[Event], None],
                 files_changed: Callable[[], list[str]], *, tools: list[dict[str, Any]] | None = None,
                 response_format: dict[str, Any] | None = None, readonly: Collection[str] = (),
                 memory: WorkingMemory | None = None, keep_turns: int = KEEP_TURNS,
                 temperature: float | None = None) -> None:
        self.provider, self.budget, self.emit = provider, budget, emit
        self.files_changed = files_changed
        self.tools, self.response_format = tools or [], response_format
        self.readonly, self.memory, self.keep_turns = set(readonly), memory, keep_turns
        self.temperature = temperature
        self.last_estimate = 0
        self.warned = False

    def for_child(self, provider: Provider, emit: Callable[[Event], None], files_changed: Callable[[], list[str]],
                  tools: list[dict[str, Any]] | None, readonly: Collection[str]) -> Compactor:
        """A compactor for a subagent: the same window, caps and temperature; its own model, events and tools,
        and no working memory (a child's summary covers only its own turns)."""
        return Compactor(provider, replace(self.budget), emit, files_changed, tools=tools,
                         response_format=self.response_format, readonly=readonly, keep_turns=self.keep_turns,
                         temperature=self.temperature)

    def tokens(self, messages: list[Message]) -> int:
        return self.budget.tokens(messages, self.tools, self.response_format)

    def fit(self, messages: list[Message], step: int, request: Message | None = None,
            force: bool = False) -> Compacted | None:
        """A compacted history when the next request is too big (or `force`), else None."""
        before = self.tokens(messages)
        done = self._reduce(messages, step, request, before, force) if force or before > self.budget.trigger else None
        self.last_estimate = request_tokens(done.messages if done else messages, self.tools, self.response_format)
        return done

    def observe(self, usage: Usage) -> None:
        """The server's count of the last request's prompt tokens calibrates later estimates."""
        self.budget.observe(usage, self.last_estimate)

    def note(self, messages: list[Message], new_texts: list[str]) -> str | None:
        """`[context: 63% of 16k tokens]` once the history plus these new outputs fill half the window."""
        return self.budget.note(self.tokens(messages) + sum(self.budget.text_tokens(t) for t in new_texts))

    def output_room(self, messages: list[Message], n_calls: int) -> int:
        """Characters each of the next `n_calls` outputs may take: what is left of the window once old outputs
        are stubbed, at most a quarter of the window, at least a few lines (the next compaction makes room)."""
        view, _ = mask_outputs(messages, keep_from(messages, self.keep_turns), self.readonly)
        n = max(n_calls, 1)
        room = (self.budget.hard_limit - self.tokens(view)) // n - OUTPUT_OVERHEAD
        return max(MIN_OUTPUT_CHARS, self.budget.chars(min(room, self.budget.window // 4)))

    def _reduce(self, messages: list[Message], step: int, request: Message | None, before: int,
                force: bool) -> Compacted | None:
        fixed = self.tokens(messages[:1])
        masked, n = mask_outputs(messages, keep_from(messages, self.keep_turns), self.readonly)
        if n and not force and self.tokens(masked) <= self.budget.target(fixed, free=0.25):
            return self._done(masked, step, "mask", before)
        target = self.budget.target(fixed)
        cut = self._cut(masked, request, target)
        starts = turn_starts(masked)
        if not starts or cut <= starts[0]:  # nothing older than the kept turns: stubs and clipping only
            squeezed = self._squeeze(masked)
            if squeezed != messages:
                return self._done(squeezed, step, "mask", before)
            return None if force else self._stuck(before)
        summary, source, usage = self._summary(messages[1:cut], request, step)
        head = [messages[0], msg.user(summary), *instructions(messages[1:cut])]
        if request is not None and request in messages[1:cut]:
            head.append(request)
        return self._done(self._squeeze(head + masked[cut:]), step, "summary", before, usage, source)

    def _cut(self, masked: list[Message], request: Message | None, target: int) -> int:
        """Where the verbatim tail starts: the most recent turns (at least one) that fit the target."""
        extra = self.budget.summary_tokens + (self.tokens([request]) if request else 0)
        for k in range(self.keep_turns, 1, -1):
            cut = keep_from(masked, k)
            if self.tokens(masked[:1] + masked[cut:]) + extra <= target:
                return cut
        return keep_from(masked, 1)

    def _summary(self, region: list[Message], request: Message | None, step: int) -> tuple[str, str, Usage]:
        """The summary message's text, who wrote it ("model" or "fallback"), and what asking cost."""
        text, usage = self._ask_model(region)
        source = "model" if text else "fallback"
        if not text:
            task = self._task() or str((request or {}).get("content") or "")  # the session's task, not a follow-up
            text = fallback(task, list(self.files_changed()), region)
        parts = [HEADER.format(step=step), "Summary:\n" + text]
        record = self.memory.record if self.memory is not None else None
        if record is not None and render(record) != "(empty)":
            parts.append("Working memory:\n" + render(record))
        files = self.files_changed()
        if source == "model" and not (record and record.files):  # else the fallback or the memory lists them
            parts.append(f"Files changed so far: {', '.join(files) if files else 'none'}")
        return "\n\n".join(parts), source, usage

    def _ask_model(self, region: list[Message]) -> tuple[str | None, Usage]:
        limit = self.budget.summary_tokens
        prompt = load_prompt("compact.md").replace("{max_words}", str(limit * 2 // 3))
        room = self.budget.chars(self.budget.window - limit - self.budget.text_tokens(prompt))
        request = ModelRequest([msg.system(prompt), msg.user(render_turns(region, room))], max_tokens=limit,
                               temperature=self.temperature, slot=1)
        while self.budget.tokens(request.messages) > self.budget.window - limit and room > 1000:
            room = room * 3 // 4
            request.messages[1] = msg.user(render_turns(region, room))
        self.emit(Notice(text=f"compacting the context: asking the model to summarise {len(region)} messages"))
        try:
            response = self.provider.complete(request)
        except ProviderError as exc:
            self.emit(Notice(text=f"the summary request failed ({exc}); using a summary built without the model"))
            return None, Usage()
        text = usable(response.text, self.budget.chars(limit))
        if text is None:
            self.emit(Notice(text="the model's summary was empty or unusable; using one built without the model"))
        return text, response.usage

    def _squeeze(self, messages: list[Message]) -> list[Message]:
        """Guarantee the hard limit: stub every output but the last turn's, then clip the last turn's."""
        if self.tokens(messages) <= self.budget.hard_limit:
            return messages
        last = keep_from(messages, 1)
        messages, _ = mask_outputs(messages, last, self.readonly)
        over = self.tokens(messages) - self.budget.hard_limit
        return messages if over <= 0 else clip_outputs(messages, last, self.budget.chars(over) + 200)

    def _done(self, messages: list[Message], step: int, tier: str, before: int, usage: Usage | None = None,
              source: str | None = None) -> Compacted:
        after = self.tokens(messages)
        self.emit(Compaction(step=step, tier=tier, tokens_before=before, tokens_after=after, messages=messages,
                             source=source))
        what = "old tool outputs removed" if tier == "mask" else f"old turns summarised ({source})"
        self.emit(Notice(text=f"context compacted: {what}, {short(before)} -> {short(after)} tokens "
                              f"of a {short(self.budget.window)} window"))
        if self.memory is not None and tier == "summary":
            self.memory.shown = brief(self.memory.record)
        return Compacted(messages, usage or Usage())

    def _stuck(self, before: int) -> None:
        if not self.warned:
            self.warned = True
            self.emit(Notice(text=f"the context ({before} tokens) cannot be reduced further; the "
                                  f"{short(self.budget.window)} window may be too small for this prompt"))
        return None

    def _task(self) -> str:
        return self.memory.record.task if self.memory is not None else ""


def reduction_enabled() -> bool:
    """HAME_CONTEXT_REDUCTION=off turns compaction, output capping and dedupe off (a baseline for benchmarks)."""
    return os.environ.get("HAME_CONTEXT_REDUCTION", "on").strip().lower() not in ("off", "0", "false", "no")


def instructions(region: list[Message]) -> list[Message]:
    """Instruction-file messages (a subdirectory's AGENTS.md) among `region`: they are put back verbatim."""
    return [m for m in region if m.get("role") == "user"
            and str(m.get("content") or "").startswith(INSTRUCTIONS_PREFIX)]
