"""The agent loop: build request → call model → validate and run tool calls → append results → repeat, until
the model answers without a tool call or a budget stops it. It emits events and never prints. The tactics a
profile lists (tactics/) are asked at a few fixed points: when a request comes (one may settle it), before a step,
when a request is shaped, when a reply is judged, after a turn, and before a final answer is accepted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import messages as msg
from ..context.compaction import Compactor
from ..errors import ProviderError
from ..events import AssistantTurn, ErrorEvent, Event, Final, MessageAdded, ModelRequest, Notice, TextDelta
from ..messages import Message, ModelResponse, ToolCall, Usage
from ..providers.base import ModelRequest as Request
from ..providers.base import Provider, infiller
from ..tactics.base import Reply, State, Stop, Turn
from ..tools.base import Gate, Tool, ToolContext
from .autocheck import FILE_TOOLS, Checker, CheckResult
from .interrupt import unanswered_results
from .protocol import Outcome, ToolProtocol
from .runner import ToolRunner


@dataclass
class LoopConfig:
    max_steps: int = 40
    temperature: float | None = None
    max_tokens: int | None = None
    max_output_chars: int = 12000
    one_call_per_turn: bool = False
    max_format_retries: int = 3
    max_total_tokens: int | None = None  # input + output tokens over the whole run (a subagent's token budget)
    check_command: str | None = None  # run after every turn that changed a file
    tactics: tuple[str, ...] = ()  # the weak-model tactics, in order (tactics/)
    tactic_options: dict[str, int] = field(default_factory=dict)  # the numbers tactics take, by name
    check_decides: bool = False  # an answer while the check fails ends as `check_failed` (an explicit --check)


@dataclass
class RunResult:
    result: str
    stop_reason: str
    steps: int
    usage: Usage
    files_changed: list[str]
    error: str | None = None
    check: CheckResult | None = None  # the check's last result in this run


@dataclass
class Agent:
    provider: Provider
    tools: list[Tool]
    ctx: ToolContext
    emit: Callable[[Event], None]
    protocol: ToolProtocol
    config: LoopConfig = field(default_factory=LoopConfig)
    messages: list[Message] = field(default_factory=list)
    gate: Gate | None = None
    before_request: Callable[[], list[Message]] | None = None  # messages to append first (e.g. working memory)
    before_mutation: Callable[[int], None] | None = None  # called before a step's first changing call (checkpoint)
    after_calls: Callable[[list[ToolCall]], str | None] | None = None  # new facts to append after a turn
    before_finish: Callable[[], str | None] | None = None  # an objection to a final answer (open todo items)
    over_budget: Callable[[], str | None] | None = None  # checked before each model call: why to stop (--max-cost)
    compactor: Compactor | None = None  # keeps every request inside the context window (context/compaction.py)
    steps: int = 0
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        from ..tactics import build

        self.runner = ToolRunner(self.tools, self.ctx, self.emit, self.gate, self.config.max_output_chars,
                                 self.before_mutation)
        self.request: Message | None = None  # the user's latest request, put back verbatim after a compaction
        c = self.config
        state = State(self.emit, self.ctx, self.protocol, Checker(c.check_command) if c.check_command else None,
                      c.temperature, options=dict(c.tactic_options), infill=infiller(self.provider), usage=self.usage)
        self.state = build(list(c.tactics), state)

    def add(self, message: Message) -> None:
        self.messages.append(message)
        self.emit(MessageAdded(message=message, step=self.steps))

    def run(self, task: str, targets: list[str] | None = None) -> RunResult:
        """Work on `task`; `targets`: the files it is about (not tests), when known."""
        if targets is not None:
            self.protocol.default_path = targets[0] if len(targets) == 1 else None
        self.request = msg.user(self.state.framed(task, targets))
        self.add(self.request)
        failures, budget_end = 0, self.steps + self.config.max_steps
        try:
            if settled := self.state.begin(self.request):
                return self._finish(settled.result, settled.reason, settled.error)
            while True:
                if self.steps >= budget_end:
                    return self._finish("", "max_steps")
                if self._tokens_spent():
                    return self._finish("", "budget", f"the token budget ({self.config.max_total_tokens}) is spent")
                if self.over_budget and (why := self.over_budget()):
                    return self._finish("", "budget", why)
                self.steps += 1
                self.ctx.step = self.steps
                self._rebuild()
                for message in self.before_request() if self.before_request else []:
                    self.add(message)
                self.compact()
                reply = self._judged(self._call_model())
                if reply.drop:
                    continue
                if reply.problem:
                    failures += reply.counted
                    self._reject(reply.response, reply.problem)
                    if failures > self.config.max_format_retries and self._rescued(reply.problem):
                        failures = 0
                    elif failures > self.config.max_format_retries:
                        return self._finish("", "error", f"the model's output could not be used {failures} times")
                    continue
                response, calls = reply.response, reply.calls
                answer = self.protocol.final_answer(calls)
                if answer is not None or not calls:
                    text = answer if answer is not None else response.text
                    self.add(msg.assistant(response.text) if answer is None else self.protocol.assistant_message(
                        response, calls))
                    objection = self._objection()
                    if objection is None:
                        return self._finish(text.strip(), "completed")
                    self.add(msg.user(objection))
                    continue
                failures = 0
                if stop := self._act(response, calls):
                    return self._finish(stop.result, stop.reason, stop.error)
        except KeyboardInterrupt:
            for message in unanswered_results(self.messages):
                self.add(message)
            return self._finish("", "interrupted")
        except ProviderError as exc:
            self.emit(ErrorEvent(message=str(exc)))
            return self._finish("", "error", str(exc))

    def _call_model(self) -> ModelResponse:
        shape = self.state.shape()
        stops = shape.stops
        request = Request(messages=list(self.messages), tools=self.protocol.tool_schemas(),
                          max_tokens=self.config.max_tokens, temperature=shape.temperature,
                          response_format=self.protocol.response_format(shape.write_only),
                          grammar=self.protocol.grammar(shape.write_only),
                          stop_when=(lambda text: next((r for r, hit in stops.items() if hit(text)), None))
                          if stops else None)
        est = msg.messages_tokens(request.messages)
        self.emit(ModelRequest(step=self.steps, n_messages=len(request.messages), est_tokens=est))
        response = self.provider.complete(request, lambda t: self.emit(TextDelta(text=t)))
        if not response.usage.input_tokens:  # a stream cut off reports no usage: count the estimate, marked as such
            response.usage.input_tokens = response.usage.estimated_input_tokens = est
            response.usage.output_tokens = response.usage.output_tokens or msg.estimate_tokens(response.text)
        if self.compactor:
            self.compactor.observe(response.usage)
        self.usage.add(response.usage)
        self.emit(AssistantTurn(step=self.steps, text=response.text,
                                tool_calls=[c.to_openai() for c in response.tool_calls],
                                usage=response.usage.to_dict(), finish_reason=response.finish_reason))
        return response

    def _judged(self, response: ModelResponse) -> Reply:
        reply = Reply(response, *self.protocol.calls_of(response))
        for tactic in self.state.tactics:
            tactic.judge(reply)
        return reply

    def _rescued(self, problem: str) -> bool:
        return any(tactic.rescue(problem) for tactic in self.state.tactics)

    def _rebuild(self) -> None:
        for tactic in self.state.tactics:
            history = tactic.rebuild(self.messages)
            if history is not None:
                self.messages = history
                self.runner.forget_outputs()

    def compact(self, force: bool = False) -> bool:
        """Fit the history into the context window (`force`: compact it now); True when it was rewritten."""
        done = self.compactor.fit(self.messages, self.steps, self.request, force) if self.compactor else None
        if done is None:
            return False
        self.messages = done.messages
        self.usage.add(done.usage)
        self.runner.forget_outputs()  # what the model no longer sees must not be called "unchanged"
        return True

    def _objection(self) -> str | None:
        """Why a final answer is not accepted yet: a tactic's objection, else the hook's (open todo items)."""
        objection = next((o for t in self.state.tactics if (o := t.objection()) is not None), None)
        if objection is not None:
            return objection
        objection = self.before_finish() if self.before_finish else None
        if objection:
            self.emit(Notice(text=f"final answer not accepted yet: {objection.splitlines()[0]}"))
        return objection or None

    def _tokens_spent(self) -> bool:
        limit = self.config.max_total_tokens
        return limit is not None and self.usage.input_tokens + self.usage.output_tokens >= limit

    def _reject(self, response: ModelResponse, problem: str) -> None:
        self.emit(Notice(text=f"unusable model output: {problem.splitlines()[0]}"))
        self.add(msg.assistant(response.text or ""))
        self.add(msg.user(problem))

    def _act(self, response: ModelResponse, calls: list[ToolCall]) -> Stop | None:
        """Run the turn's calls, the check after a change, and append their results; a stop when the run ends."""
        skipped = len(calls) - 1 if self.config.one_call_per_turn and len(calls) > 1 else 0
        run = calls[:1] if skipped else calls
        self.add(self.protocol.assistant_message(response, run))
        self.runner.cap_chars = self.compactor.output_room(self.messages, len(run)) if self.compactor else None
        results = self.runner.execute_all(run)
        changed = any(c.name in FILE_TOOLS and o.ok for c, o in results)
        turn = Turn(results, self.state.check() if changed else None)
        for tactic in self.state.tactics:
            tactic.after_turn(turn)
        quiet = turn.stop is not None and not turn.stop.notes
        skip_note = (f"Only your first tool call was run; {skipped} more were ignored. "
                     "Look at its result, then send the next call.") if skipped else ""
        notes = [] if quiet else [skip_note, turn.check.report if turn.check else "", *turn.notes]
        for message in self.protocol.result_messages(self._context_note(results), "\n".join(n for n in notes if n)):
            self.add(message)
        extra = self.after_calls(run) if self.after_calls else None
        if extra:
            self.add(msg.user(extra))
        return turn.stop

    def _context_note(self, results: list[tuple[ToolCall, Outcome]]) -> list[tuple[ToolCall, Outcome]]:
        """The last result ends with `[context: 63% of 16k tokens]` once the context is more than half full."""
        note = self.compactor.note(self.messages, [o.text for _, o in results]) if self.compactor else None
        if not note or not results:
            return results
        call, last = results[-1]
        return [*results[:-1], (call, Outcome(f"{last.text}\n{note}", last.ok))]

    def _finish(self, result: str, reason: str, error: str | None = None) -> RunResult:
        check = self.state.last_check
        if reason == "completed" and check is None and self.config.check_decides:
            check = self.state.check()  # an answer is judged by the check: run it when no change did
        if reason == "completed" and check and not check.passed and self.config.check_decides:
            reason, error = "check_failed", f"the check `{check.command}` fails"
        files = list(self.ctx.files_changed)
        self.emit(Final(result=result, stop_reason=reason, steps=self.steps, usage=self.usage.to_dict(),
                        files_changed=files, check=check.summary() if check else None))
        return RunResult(result, reason, self.steps, self.usage, files, error, check)
