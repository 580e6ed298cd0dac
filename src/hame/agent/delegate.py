"""Delegation: an agent hands bounded tasks to child agents (subagents) and gets back a concise report from each.

A child starts with a fresh context: the parent's system message (the stable prefix) and its task. It sees the
parent's tool schemas unchanged, so a server's prompt cache serves both, but the tools it may not use refuse every
call (`Unavailable`): a read-only child cannot change files or run commands, no child touches the parent's working
memory, and a child at `max_depth` cannot delegate. Each child has its own step and token budget; one that runs
out returns what it had, marked incomplete. Its requests use the side slot (the local server keeps the main
conversation's KV cache), and its events reach the parent's stream nested in `subagent` events.

Read-only children run in threads, at most `concurrency` at once per depth; children that may write run one at a
time. Ctrl-C cancels them: each stops before its next model call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..context.clip import clip
from ..context.prompt import load_prompt
from ..errors import UsageError
from ..events import Event, SubagentEvent, SubagentStart, TextDelta
from ..messages import Message, ModelResponse
from ..providers.base import ModelRequest, Provider, TextCallback
from ..tools.base import Tool, ToolContext
from ..tools.delegate import Delegate, ToolsMode, Unavailable
from .loop import Agent, Gate, RunResult
from .protocol import ToolProtocol

SIDE_SLOT = 1  # the local server's second slot: the main conversation keeps slot 0's KV cache
MEMORY_TOOLS = ("remember", "todo")


class DelegateConfig(BaseModel):
    """`[delegate]` in config.toml. `max_depth` 0 turns delegation off; unset, the model profile decides."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    max_depth: int | None = Field(None, ge=0, le=4)
    max_steps: int = Field(12, ge=1, le=200)
    max_tokens: int = Field(200_000, ge=1000)  # input + output tokens of one child's whole run
    concurrency: int = Field(3, ge=1, le=16)
    report_chars: int = Field(4000, ge=500)

    @classmethod
    def load(cls, table: Any, default_depth: int) -> DelegateConfig:
        try:
            config = cls.model_validate(table or {})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise UsageError(f"[delegate] in config.toml: {problems}") from None
        return config if config.max_depth is not None else config.model_copy(update={"max_depth": default_depth})

    @property
    def depth(self) -> int:
        return self.max_depth or 0


class SideRequests:
    """A child's view of the model: requests on the side slot, and none once its run is cancelled."""

    def __init__(self, inner: Provider, cancelled: threading.Event) -> None:
        self.inner = inner
        self.cancelled = cancelled
        self.name = inner.name
        self.context_window = inner.context_window

    def complete(self, request: ModelRequest, on_text: TextCallback | None = None) -> ModelResponse:
        if self.cancelled.is_set():
            raise KeyboardInterrupt  # the child's loop stops as "interrupted"
        return self.inner.complete(replace(request, slot=SIDE_SLOT), on_text)

    def close(self) -> None:
        """The session closes the provider it opened; a child's own scripted model holds nothing open."""


class Tree:
    """What every delegator of one session shares: child numbers, concurrency slots per depth, the lock that runs
    writing children one at a time, cancellation, the root provider and the root event stream."""

    def __init__(self, emit: Callable[[Event], None], provider: Provider, concurrency: int) -> None:
        self.emit = emit
        self.provider = provider
        self.concurrency = concurrency
        self.lock = threading.Lock()
        self.writer = threading.RLock()  # re-entrant: a writing child may start a writing grandchild
        self.count = 0
        self.slots: dict[int, threading.BoundedSemaphore] = {}
        self.cancelled = threading.Event()

    def number(self) -> int:
        with self.lock:
            self.count += 1
            return self.count

    @contextmanager
    def slot(self, depth: int, writes: bool) -> Iterator[None]:
        with self.lock:
            semaphore = self.slots.setdefault(depth, threading.BoundedSemaphore(self.concurrency))
        with semaphore, self.writer if writes else nullcontext():
            yield

    def model_for(self, n: int) -> Provider:
        """Child n's model: a provider may give each child its own (the scripted model's FILE.child-N.jsonl)."""
        fork = getattr(self.provider, "for_child", None)
        return SideRequests(fork(n) if callable(fork) else self.provider, self.cancelled)

    def emitter(self, n: int, depth: int) -> Callable[[Event], None]:
        def emit(event: Event) -> None:
            if not isinstance(event, TextDelta):
                self.emit(SubagentEvent(agent=n, depth=depth, event=event))

        return emit


@dataclass
class ChildReport:
    agent: int
    task: str
    result: RunResult
    last_text: str  # the child's last words, for a run that stopped before its final answer
    files: list[str]

    def render(self, config: DelegateConfig) -> str:
        r = self.result
        tokens = r.usage.input_tokens + r.usage.output_tokens
        done = r.stop_reason == "completed"
        status = "done" if done else f"INCOMPLETE, {_why(r, config)}"
        text = (r.result if done else self.last_text).strip()
        lines = [f"[subagent {self.agent}: {status}; {r.steps} steps, {tokens} tokens] task: {_short(self.task)}",
                 clip(text, config.report_chars).text if text else "(no report)",
                 "files looked at: " + (", ".join(self.files) or "none")]
        if r.files_changed:
            lines.append("files changed: " + ", ".join(r.files_changed))
        return "\n".join(lines)


class Delegator:
    """Runs the children of one agent (`attach` it to that agent); the `delegate` tool calls `run`."""

    def __init__(self, config: DelegateConfig, tree: Tree | None = None, depth: int = 0) -> None:
        self.config = config
        self.tree = tree
        self.depth = depth
        self.parent: Agent | None = None

    def attach(self, agent: Agent) -> None:
        self.parent = agent
        if self.tree is None:
            self.tree = Tree(agent.emit, agent.provider, self.config.concurrency)

    def run(self, tasks: list[str], mode: ToolsMode) -> str:
        """Run one child per task and return their reports, in task order."""
        tree = self._tree()
        if self.depth == 0 and tree.cancelled.is_set():
            tree.cancelled = threading.Event()  # a new task after Ctrl-C
        numbered = [(tree.number(), task) for task in tasks]  # numbered in order, before any starts
        reports = self._run_all(numbered, mode)
        if any(r.result.stop_reason == "interrupted" for r in reports):
            self.cancel()
            raise KeyboardInterrupt
        return "\n\n".join(r.render(self.config) for r in reports)

    def cancel(self) -> None:
        if self.tree is not None:
            self.tree.cancelled.set()

    def _run_all(self, numbered: list[tuple[int, str]], mode: ToolsMode) -> list[ChildReport]:
        if mode == "all" or len(numbered) == 1:
            return [self._run_one(n, task, mode) for n, task in numbered]
        workers = min(len(numbered), self.config.concurrency)
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hame-subagent")
        try:
            futures = [pool.submit(self._run_one, n, task, mode) for n, task in numbered]
            return [f.result() for f in futures]
        except KeyboardInterrupt:
            self.cancel()
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _run_one(self, n: int, task: str, mode: ToolsMode) -> ChildReport:
        tree, depth = self._tree(), self.depth + 1
        with tree.slot(depth, writes=mode == "all"):
            child = self._child(n, mode)
            tree.emit(SubagentStart(agent=n, depth=depth, task=task, tools=mode, max_steps=self.config.max_steps))
            try:
                result = child.run(brief(task, mode, self.config.max_steps, child.tools))
            except Exception as exc:  # a bug in a child must not end the parent's run
                result = RunResult("", "error", child.steps, child.usage, list(child.ctx.files_changed),
                                   f"{type(exc).__name__}: {exc}")
        self._account(result)
        return ChildReport(n, task, result, last_text(child.messages), files_seen(child.ctx))

    def _child(self, n: int, mode: ToolsMode) -> Agent:
        parent, tree, depth = self._parent(), self._tree(), self.depth + 1
        sub = Delegator(self.config, tree, depth) if depth < self.config.depth else None
        tools = child_tools(parent.tools, mode, sub, self.config.depth)
        config = replace(parent.config, max_steps=self.config.max_steps, max_total_tokens=self.config.max_tokens)
        checkpoint, pctx = parent.before_mutation, parent.ctx
        ctx = ToolContext(workspace=pctx.workspace, session_dir=pctx.session_dir, sandbox=pctx.sandbox,
                          network=pctx.network, env_allow=pctx.env_allow, shell_timeout_cap=pctx.shell_timeout_cap,
                          write_guards=list(pctx.write_guards), read_denied=pctx.read_denied)
        model, emit, protocol = tree.model_for(n), tree.emitter(n, depth), ToolProtocol(parent.protocol.mode, tools)
        compactor = parent.compactor.for_child(model, emit, lambda: list(ctx.files_changed), protocol.tool_schemas(),
                                               {t.name for t in tools if not t.mutating}) if parent.compactor else None
        agent = Agent(model, tools, ctx, emit, protocol, config, messages=stable_prefix(parent.messages),
                      gate=child_gate(parent.gate), compactor=compactor,
                      over_budget=parent.over_budget,  # --max-cost: the meter counts every agent's calls
                      before_mutation=(lambda _step: checkpoint(pctx.step)) if checkpoint and mode == "all" else None)
        agent.runner.dedupe = compactor is not None
        if sub is not None:
            sub.attach(agent)
        return agent

    def _account(self, result: RunResult) -> None:
        """The child's tokens count toward its parent's budget; the files it changed are the parent's changes."""
        parent = self._parent()
        with self._tree().lock:
            parent.usage.add(result.usage)
            for rel in result.files_changed:
                parent.ctx.changed(rel)

    def _parent(self) -> Agent:
        if self.parent is None:
            raise RuntimeError("Delegator.attach(agent) was not called")
        return self.parent

    def _tree(self) -> Tree:
        self._parent()
        assert self.tree is not None
        return self.tree


def child_tools(tools: list[Tool], mode: ToolsMode, sub: Delegator | None, max_depth: int) -> list[Tool]:
    """The parent's tools as a child sees them: same names and schemas, those it may not use refusing."""
    reading = [t.name for t in tools if not t.mutating and t.name not in (*MEMORY_TOOLS, "delegate")]
    read_only = (f"this subagent is read-only and can only use {', '.join(reading)}. Say in your report what "
                 "should change and where; the main agent will make the change.")
    out: list[Tool] = []
    for tool in tools:
        if tool.name == "delegate":
            out.append(Delegate(sub) if sub else Unavailable(
                tool, f"a subagent cannot start subagents (delegate max_depth is {max_depth}); do the work yourself."))
        elif tool.name in MEMORY_TOOLS:
            out.append(Unavailable(tool, "the working memory and the todo list belong to the main agent; put what "
                                         "matters in your report."))
        elif mode == "read-only" and tool.mutating:
            out.append(Unavailable(tool, read_only))
        else:
            out.append(tool)
    return out


def child_gate(gate: Gate | None) -> Gate | None:
    """The parent's permission gate, except for calls a child refuses anyway (nobody is asked about those)."""
    if gate is None:
        return None
    return lambda tool, args: None if isinstance(tool, Unavailable) else gate(tool, args)


def brief(task: str, mode: ToolsMode, max_steps: int, tools: list[Tool]) -> str:
    usable = ", ".join(t.name for t in tools if not isinstance(t, Unavailable))
    rule = f"Tools you can use: {usable}. " + (
        "You are read-only: you cannot change files or run commands; if something should change, say what and "
        "where in your report." if mode == "read-only" else "List every file you changed in your report.")
    text = load_prompt("subagent.md").replace("{tools_rule}", rule).replace("{max_steps}", str(max_steps))
    return text.replace("{task}", task)


def stable_prefix(messages: list[Message]) -> list[Message]:
    return [dict(messages[0])] if messages and messages[0].get("role") == "system" else []


def last_text(messages: list[Message]) -> str:
    for m in reversed(messages):
        if m.get("role") == "assistant" and str(m.get("content") or "").strip():
            return str(m["content"])
    return ""


def files_seen(ctx: ToolContext) -> list[str]:
    return sorted(set(ctx.seen) | set(ctx.files_changed))


def _why(result: RunResult, config: DelegateConfig) -> str:
    reasons = {"max_steps": f"its step budget ({config.max_steps} steps) ran out; what it had so far:",
               "budget": f"its token budget ({config.max_tokens} tokens) ran out; what it had so far:",
               "stalled": "it kept repeating the same call; what it had so far:",
               "interrupted": "interrupted"}
    return reasons.get(result.stop_reason, f"it stopped: {result.error or result.stop_reason}")


def _short(task: str, limit: int = 80) -> str:
    line = " ".join(task.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
