"""The agent loop: build request → call model → validate and run tool calls → append results → repeat, until
the model answers without a tool call or a budget stops it. It emits events and never prints."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import messages as msg
from ..context.compaction import Compactor
from ..errors import ProviderError
from ..events import (
    AssistantTurn,
    Compaction,
    ErrorEvent,
    Event,
    Final,
    MessageAdded,
    ModelRequest,
    Notice,
    TextDelta,
)
from ..messages import Message, ModelResponse, ToolCall, Usage
from ..providers.base import ModelRequest as Request
from ..providers.base import Provider
from ..tools.base import Gate, Tool, ToolContext
from ..tools.fileio import TEST_NAME, copy_watch
from ..tools.salvage import salvage
from .autocheck import CHECK_TIMEOUT, FILE_TOOLS, CheckResult, run_check, stuck_after
from .echo import echo_watch
from .interrupt import unanswered_results
from .protocol import COPYING, ECHOED, ECHOING, Outcome, ToolProtocol
from .restarts import Restarts
from .runner import ToolRunner
from .steering import Steering

RESAMPLE_STEP = 0.3  # temperature added for each reply dropped in a row as a repeated failure


CUT_NOTES = {"repetition": "Your reply degenerated into repeating the same text and was cut off. Write simpler code, "
                           "without long repeated lines.",
             "length": "Your reply was too long and was cut off at the output limit before it was complete. Write "
                       "shorter code: only what the tests need, without copying the tests.",
             ECHOING: ECHOED,
             COPYING: "Your reply was copying the test file into the code file, so it was cut off. Write the code "
                      "that the tests import and call, not the tests."}


def _call_key(call: ToolCall) -> str:
    return json.dumps([call.name, call.arguments], sort_keys=True, default=str)


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
    restarts: bool = False  # with a check: cut the history back to the task after a failure (agent/restarts.py)
    resample: bool = False  # drop a reply that only repeats calls that already failed, and sample again hotter
    max_resamples: int = 3  # ... at most this many times in a row; then the call runs and steering takes over
    force_writes: bool = False  # while the check fails, the reply must write one of the files to change
    focus: bool = False  # restarts: after a near miss, ask for only the definitions to fix (tools/splice.py)
    plain_retries: int = 0  # restarts: retry the first request unchanged this many times first (a new sample)
    error_hints: bool = False  # a failing check's report explains the Python errors it shows (context/error_hints.py)
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
        self.steering = Steering(whole=self.protocol.mode == "whole")
        self.runner = ToolRunner(self.tools, self.ctx, self.emit, self.gate, self.config.max_output_chars,
                                 self.before_mutation)
        self.request: Message | None = None  # the user's latest request, put back verbatim after a compaction
        self.restarts = Restarts(focus=self.config.focus, plain=self.config.plain_retries) \
            if self.config.restarts and self.config.check_command else None
        self.failed_calls: set[str] = set()  # calls (name and arguments) whose result was an error
        self.resamples = 0  # replies dropped in a row because they repeated a failed call
        self.solved = False  # a change made the check pass that failed when the request came in
        self.last_check: CheckResult | None = None  # the check's last result in this run
        self.check_timeout = CHECK_TIMEOUT  # shorter once the check's run before the first step shows it is quick
        self.stuck_timeout = CHECK_TIMEOUT  # ... what that run gave (`stuck_after`), before any check ran out of it
        self._copy_watch: tuple[tuple[str, ...], Callable[[str], bool] | None] | None = None  # (targets, watch)
        self._echo_watch: tuple[str, Callable[[str], bool] | None] | None = None  # (request, watch)

    def add(self, message: Message) -> None:
        self.messages.append(message)
        self.emit(MessageAdded(message=message, step=self.steps))

    def run(self, task: str) -> RunResult:
        self.request = msg.user(task)
        self.add(self.request)
        failures = 0
        budget_end = self.steps + self.config.max_steps
        self.solved, self.last_check = False, None
        failing = self._check_first()
        try:
            while True:
                if self.steps >= budget_end:
                    return self._finish("", "max_steps")
                if self._tokens_spent():
                    return self._finish("", "budget", f"the token budget ({self.config.max_total_tokens}) is spent")
                if self.over_budget and (why := self.over_budget()):
                    return self._finish("", "budget", why)
                self.steps += 1
                self.ctx.step = self.steps
                self._restart()
                for message in self.before_request() if self.before_request else []:
                    self.add(message)
                self.compact()
                response = self._call_model()
                calls, problem = self.protocol.calls_of(response)
                if problem and response.finish_reason == COPYING and (kept := self._salvaged(response)):
                    calls, problem = kept, None
                if problem:
                    if not (self.restarts and response.finish_reason in CUT_NOTES and self.restarts.left()):
                        failures += 1  # (a cut reply is a failed try, and starts a fresh one, with restarts left)
                    self._reject(response, problem)
                    if failures > self.config.max_format_retries and self._fresh_after(problem):
                        failures = 0
                    elif failures > self.config.max_format_retries:
                        return self._finish("", "error", f"the model's output could not be used {failures} times")
                    continue
                if self._repeats_failure(calls):
                    continue
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
                if self._act(response, calls):
                    return self._finish("", "stalled", "the model repeated the same call without progress")
                if failing and self.solved:
                    files = ", ".join(self.ctx.files_changed) or "the files"
                    return self._finish(f"Changed {files}; the check `{self.config.check_command}` passes.",
                                        "completed")
        except KeyboardInterrupt:
            for message in unanswered_results(self.messages):
                self.add(message)
            return self._finish("", "interrupted")
        except ProviderError as exc:
            self.emit(ErrorEvent(message=str(exc)))
            return self._finish("", "error", str(exc))

    def _call_model(self) -> ModelResponse:
        forced = self._forced_writes()
        request = Request(messages=list(self.messages), tools=self.protocol.tool_schemas(),
                          max_tokens=self.config.max_tokens, temperature=self._temperature(),
                          response_format=self.protocol.response_format(forced), grammar=self.protocol.grammar(forced),
                          watch=self._watch())
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

    def _fresh_after(self, problem: str) -> bool:
        """With restarts left: unusable replies in a row start a fresh attempt instead of ending the run (at a high
        temperature the 1.5B answered an empty block three times; the history of them would only be repeated)."""
        if not self.restarts or not self.steering.failed_check or not self.restarts.left():
            return False
        self.restarts.failed(problem, fresh=True)
        self.emit(Notice(text="unusable replies in a row: starting a fresh attempt"))
        return True

    def _salvaged(self, response: ModelResponse) -> list[ToolCall]:
        """A reply cut off because it was copying the tests may hold a whole solution before the copy: the files
        it had written whole before it began the copy (`whole`: the 1.5B's house wrote its verses, then began
        `house_test.py`), or else the write it had begun, without the test code (`tools/salvage.py`), when that
        still defines what the tests import. The writes go through write_file's guards like any other."""
        closed = [c for c in self.protocol.closed_writes(response.text)
                  if not TEST_NAME.search(str(c.arguments.get("path", "")))]
        if closed:
            paths = ", ".join(str(c.arguments["path"]) for c in closed)
            self.emit(Notice(text=f"the reply was cut when it began copying the tests; what it wrote whole before "
                                  f"is kept: {paths}"))
            return closed
        call = self.protocol.cut_write(response.text)
        path = str(call.arguments.get("path", "")) if call else ""
        kept = salvage(path, str(call.arguments.get("content", "")), self.ctx.workspace) if call and path else None
        if kept is None:
            return []
        self.emit(Notice(text=f"the reply copying the tests was cut; the code it wrote before them is kept. {kept[1]}"))
        return [self.protocol.write_call(path, kept[0])]

    def _watch(self) -> dict[str, Callable[[str], bool]]:
        """With protected tests (the small profiles): cut a reply as soon as it is copying the tests into the code
        (`copy_watch`, built once per set of target files: the protected tests cannot change under the run), or, in
        the `whole` protocol, repeating the request's text (`echo_watch`, built once per request)."""
        if not self.ctx.protect_tests:
            return {}
        targets = tuple(self.steering.targets)
        if self._copy_watch is None or self._copy_watch[0] != targets:
            self._copy_watch = (targets, copy_watch(list(targets), self.ctx.workspace))
        request = str(self.request.get("content") or "") if self.request and self.protocol.mode == "whole" else ""
        if self._echo_watch is None or self._echo_watch[0] != request:
            self._echo_watch = (request, echo_watch(request) if request else None)
        watches = {COPYING: self._copy_watch[1], ECHOING: self._echo_watch[1]}
        return {reason: hit for reason, hit in watches.items() if hit}

    def _forced_writes(self) -> list[str]:
        """With `force_writes`, while the check fails and the files to change are known: those files, which the
        reply must write one of (a file block in `whole` mode, a write_file call in `constrained` mode). A small
        model has nothing else useful to do then, and the constraint leaves it no prose to spend its time on, no
        test run or final answer that cannot help, and no format to get wrong."""
        if self.config.force_writes and self.steering.failed_check and self.steering.targets:
            return list(self.steering.targets)
        return []

    def compact(self, force: bool = False) -> bool:
        """Fit the history into the context window (`force`: compact it now); True when it was rewritten."""
        done = self.compactor.fit(self.messages, self.steps, self.request, force) if self.compactor else None
        if done is None:
            return False
        self.messages = done.messages
        self.usage.add(done.usage)
        self.runner.forget_outputs()  # what the model no longer sees must not be called "unchanged"
        return True

    def _temperature(self) -> float | None:
        base = self.restarts.temperature(self.config.temperature) if self.restarts else self.config.temperature
        if not self.resamples:
            return base
        return round(min(1.0, (base or 0.0) + RESAMPLE_STEP * self.resamples), 2)

    def _repeats_failure(self, calls: list[ToolCall]) -> bool:
        """True when the reply only repeats calls that already failed: at a low temperature a small model repeats
        a failed call again and again. The reply is dropped — the history, and the server's KV cache of it, stay
        as they were — and the model samples again, hotter. After `max_resamples` in a row the call runs."""
        keys = [_call_key(c) for c in calls]
        if (not self.config.resample or not keys or self.resamples >= self.config.max_resamples
                or any(k not in self.failed_calls for k in keys)):
            self.resamples = 0
            return False
        self.resamples += 1
        self.emit(Notice(text=f"the reply repeats a call that already failed ({calls[0].name}): dropped, sampling "
                              f"again at temperature {self._temperature()}"))
        return True

    def _restart(self) -> None:
        """After a failed check, continue from the task plus the last attempt, or from the task alone."""
        if self.restarts is None:
            return
        before = self.messages
        target = " or ".join(self.steering.targets[:2]) or "the file"
        one = self.steering.targets[0] if len(self.steering.targets) == 1 else None
        reminder = (f"Reply with {one} on one line, then the whole file in one fenced code block."
                    if one and self.protocol.mode == "whole" else "")
        code = self._current(one) if self.restarts.focus else None
        history = self.restarts.rebuild(before, self.request, target, code, self._how(one or ""), reminder)
        if history is None or history == before:
            return
        self.ctx.splice_into = one if self.restarts.kind == "focus" else None
        self.messages = history
        self.runner.forget_outputs()
        self.emit(Notice(text=f"check failed {self.restarts.failures}x: restarting from the task "
                              f"({self.restarts.kind}, temperature {self._temperature()})"))
        self.emit(Compaction(step=self.steps, tier="restart", tokens_before=msg.messages_tokens(before),
                             tokens_after=msg.messages_tokens(history), messages=list(history)))

    def _current(self, rel: str | None) -> str | None:
        """The content of the one file to change, for a focused repair (None when it cannot be read)."""
        path = self.ctx.workspace / rel if rel else None
        try:
            return path.read_text(encoding="utf-8") if path and path.is_file() else None
        except (OSError, UnicodeDecodeError):
            return None

    def _how(self, rel: str) -> str:
        if self.protocol.mode == "whole":
            return f"{rel} on one line, then one fenced block holding them"
        return f"one write_file call for {rel} whose content is only those definitions"

    def _objection(self) -> str | None:
        """Why a final answer is not accepted yet: a failing check (steering), else the hook (open todo items)."""
        if self.restarts and self.steering.failed_check and self.restarts.left():
            self.restarts.failed(self.restarts.report or f"`{self.steering.failed_check}` failed", fresh=True)
            self.emit(Notice(text="final answer while the check fails: starting a fresh attempt"))
            return "The check still fails; the task is not done."
        objection = self.steering.before_finish()
        if objection is not None:
            self.emit(Notice(text="final answer after a failing check; asking the model to fix it"))
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
        if self.restarts and response.finish_reason in CUT_NOTES:  # at the same temperature it happens again
            self.restarts.failed(CUT_NOTES[response.finish_reason], fresh=True)

    def _act(self, response: ModelResponse, calls: list[ToolCall]) -> bool:
        """Run the turn's calls and append their results; True when the model is stuck and the run must stop."""
        skipped = len(calls) - 1 if self.config.one_call_per_turn and len(calls) > 1 else 0
        run = calls[:1] if skipped else calls
        self.add(self.protocol.assistant_message(response, run))
        self.runner.cap_chars = self.compactor.output_room(self.messages, len(run)) if self.compactor else None
        results = self.runner.execute_all(run)
        self.failed_calls.update(_call_key(c) for c, o in results if not o.ok)
        note = (f"Only your first tool call was run; {skipped} more were ignored. "
                "Look at its result, then send the next call.") if skipped else ""
        steer, stalled = self.steering.after_turn(results)
        check = self._auto_check(results)
        if check and not stalled:
            steer = "\n".join(n for n in (check, steer) if n)
        if stalled:
            note = ""
        note = "\n".join(n for n in (note, steer) if n)
        for message in self.protocol.result_messages(self._context_note(results), note):
            self.add(message)
        extra = self.after_calls(run) if self.after_calls else None
        if extra:
            self.add(msg.user(extra))
        return stalled

    def _context_note(self, results: list[tuple[ToolCall, Outcome]]) -> list[tuple[ToolCall, Outcome]]:
        """The last result ends with `[context: 63% of 16k tokens]` once the context is more than half full."""
        note = self.compactor.note(self.messages, [o.text for _, o in results]) if self.compactor else None
        if not note or not results:
            return results
        call, last = results[-1]
        return [*results[:-1], (call, Outcome(f"{last.text}\n{note}", last.ok))]

    def _check_first(self) -> bool:
        """With restarts (a small model and a check): run the check before the model's first step. When it fails,
        the run ends as soon as a change makes it pass — a small model asked for its final answer then often
        writes something else, and breaks what passed — and a final answer before then counts as a failure.
        Its time bounds the later checks' (`stuck_after`); after a check that runs out of it, twice that, once."""
        command = self.config.check_command
        if self.restarts is None or not command:
            return False
        check = self._check(command)
        self.check_timeout = self.stuck_timeout = stuck_after(check.seconds)
        if not check.passed:
            self.restarts.report = check.report
            self.emit(Notice(text="the check fails before any change: the run ends when a change makes it pass"))
        return not check.passed

    def _auto_check(self, results: list[tuple[ToolCall, Outcome]]) -> str:
        command = self.config.check_command
        if not command or not any(c.name in FILE_TOOLS and o.ok for c, o in results):
            return ""
        check = self._check(command)
        self.solved = check.passed
        if self.restarts and check.passed:
            self.restarts.passed()
        elif self.restarts:
            change = json.dumps([(c.name, c.arguments) for c, o in results if c.name in FILE_TOOLS and o.ok],
                                sort_keys=True)
            self.restarts.failed(check.report, change=change)
        return check.report

    def _check(self, command: str) -> CheckResult:
        check = run_check(command, self.ctx, timeout=self.check_timeout, hints=self.config.error_hints)
        if check.timed_out:  # a slow suite, not a loop, loses one check: the later ones get twice as long — not
            # more: the 1.5B's nth-prime wrote three slow programs in a row and waited 60 + 120 + 240 s of its 600
            self.check_timeout = min(CHECK_TIMEOUT, 2 * self.stuck_timeout)
        self.steering.failed_check = None if check.passed else command
        self.last_check = check
        self.emit(Notice(text=f"check `{command}`: {'passed' if check.passed else 'failed'}"))
        return check

    def _finish(self, result: str, reason: str, error: str | None = None) -> RunResult:
        check = self._final_check() if reason == "completed" else self.last_check
        if reason == "completed" and check and not check.passed and self.config.check_decides:
            reason, error = "check_failed", f"the check `{check.command}` fails"
        files = list(self.ctx.files_changed)
        self.emit(Final(result=result, stop_reason=reason, steps=self.steps, usage=self.usage.to_dict(),
                        files_changed=files, check=check.summary() if check else None))
        return RunResult(result, reason, self.steps, self.usage, files, error, check)

    def _final_check(self) -> CheckResult | None:
        """An answer is judged by the check's last result; with `check_decides`, run it when no change did."""
        if self.last_check is None and self.config.check_decides and self.config.check_command:
            self._check(self.config.check_command)
        return self.last_check


