"""The seam between the agent loop and the weak-model tactics: the few fixed points where the loop asks the tactics
a profile lists, in that order, and the state they share. Every hook does nothing unless a tactic overrides it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from ..agent.autocheck import Checker, CheckResult
from ..agent.protocol import Outcome, ToolProtocol
from ..context.mentions import Attached
from ..context.repo_view import RepoView
from ..events import Event, Notice
from ..messages import Message, ModelResponse, ToolCall, Usage
from ..providers.base import Infill
from ..tools.base import ToolContext

StopWhen = Callable[[str], bool]  # a streaming reply's text so far -> cut it now


@dataclass
class Shape:
    """What a tactic may change in the next request: its temperature, the files the reply must write one of, and
    predicates that cut the streaming reply (the key is the finish reason it then gets)."""

    temperature: float | None
    write_only: list[str] = field(default_factory=list)
    stops: dict[str, StopWhen] = field(default_factory=dict)


@dataclass
class Reply:
    """A model reply as the loop parsed it; a tactic may replace its calls, drop it unseen (sample again), or mark
    an unusable one as a failed try that does not count toward the format-error stop."""

    response: ModelResponse
    calls: list[ToolCall]
    problem: str | None
    drop: bool = False
    counted: bool = True


@dataclass(frozen=True)
class Stop:
    """Ends the run after a turn: the result, the stop reason, an error; `notes`: the turn's notes are kept."""

    result: str
    reason: str
    error: str | None = None
    notes: bool = True


@dataclass
class Turn:
    """A turn's calls and results, the check's result when it ran; tactics add notes for the model, or a stop."""

    results: list[tuple[ToolCall, Outcome]]
    check: CheckResult | None
    notes: list[str] = field(default_factory=list)
    stop: Stop | None = None


@dataclass
class State:
    """What the loop shares with its tactics for one agent."""

    emit: Callable[[Event], None]
    ctx: ToolContext
    protocol: ToolProtocol
    checker: Checker | None
    temperature_base: float | None = None
    tactics: list[Tactic] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)  # the files the task is about (not tests), when known
    attached: Attached | None = None  # the files named in the latest task, as attached to it (app.py)
    request: Message | None = None  # the user's latest request
    failed_check: str | None = None  # the last check (or test command) that failed, None once one passed
    focus_file: str | None = None  # a focused repair: a partial write of this file replaces only its definitions
    definitions: bool = False  # a write of some definitions of an existing file replaces only those (definitions)
    restart_due: bool = False  # the last turn's failure starts the next attempt from the task (restarts)
    options: dict[str, int] = field(default_factory=dict)  # the profile's numbers for its tactics (plain_retries)
    last_check: CheckResult | None = None  # the check's last result for this request
    view: RepoView | None = None  # the localized view the request was framed with (localize)
    infill: Infill | None = None  # the model's fill-in-the-middle, when it has one (fill_in)
    usage: Usage | None = None  # the agent's token counts, which a tactic's own model calls add to (fill_in)
    _first: CheckResult | None = None

    def framed(self, task: str, targets: list[str] | None) -> str:
        """A new request's text, with what the tactics put before it (the check runs again before its first
        step); `targets`: the files it is about, when looked for."""
        self._first, self.last_check, self.view = None, None, None  # a view is the request's own
        if targets is not None:
            self.targets = targets
        for tactic in self.tactics:
            task = tactic.frame(task)
        return task

    def begin(self, request: Message) -> Stop | None:
        """A new request: the tactics start from it; a stop when one of them settled it before any step."""
        self.request = request
        for tactic in self.tactics:
            tactic.start()
        return next((stop for tactic in self.tactics if (stop := tactic.settle()) is not None), None)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tactics]

    def notice(self, text: str) -> None:
        self.emit(Notice(text=text))

    def check(self) -> CheckResult | None:
        """Run the check (None without one), note its result and tell the user."""
        if self.checker is None:
            return None
        result = self.last_check = self.checker.run(self.ctx)
        self.failed_check = None if result.passed else result.command
        self.notice(f"check `{result.command}`: {'passed' if result.passed else 'failed'}")
        return result

    def first_check(self) -> CheckResult | None:
        """The check run once before the request's first step (its time bounds the later checks')."""
        if self._first is None and self.checker is not None:
            self._first = self.check()
            self.checker.calibrate(self._first)
        return self._first

    def shape(self) -> Shape:
        """What the next request asks for, as the tactics shape it."""
        shape = Shape(self.temperature_base)
        for tactic in self.tactics:
            tactic.shape(shape)
        return shape

    def temperature(self) -> float | None:
        """The next request's temperature, as the tactics shape it."""
        return self.shape().temperature


class Tactic:
    """A weak-model tactic: one behaviour beside the loop, switched on by naming it in a profile."""

    name: ClassVar[str]

    def __init__(self, state: State) -> None:
        self.state = state

    def frame(self, task: str) -> str:
        """A request comes: its text, with what the model should read with it (before the request is added)."""
        return task

    def start(self) -> None:
        """A request begins (before its first step)."""

    def settle(self) -> Stop | None:
        """After every tactic started, before the first step: a stop when the tactic did the request itself."""
        return None

    def rebuild(self, messages: list[Message]) -> list[Message] | None:
        """Before a step: a new history to continue from, or None to keep it."""
        return None

    def shape(self, shape: Shape) -> None:
        """Before a model call: change what the request asks for."""

    def judge(self, reply: Reply) -> None:
        """After a model call: accept the reply as it is, replace its calls, drop it, or mark it a failed try."""

    def rescue(self, problem: str) -> bool:
        """Unusable replies passed the limit in a row: True to go on (the tactic started afresh) instead of stopping."""
        return False

    def after_turn(self, turn: Turn) -> None:
        """The turn's calls ran (and the check, when a file changed): add notes or a stop."""

    def objection(self) -> str | None:
        """A final answer came: why it is not accepted yet (the model sees it), or None."""
        return None
