"""Steering a weak model: notice when it repeats itself or finishes right after a failing check, nudge it with
a specific instruction, and stop with a clear reason when nudges do not help."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..agent.protocol import Outcome
from ..messages import ToolCall
from .base import Stop, Tactic, Turn

EXIT = re.compile(r"^\[(?:exit code (-?\d+)|killed after)")
TEST_RUN = re.compile(r"\b(pytest|py\.test|unittest|tox|nox|(npm|yarn|pnpm)( run)? test|go test|cargo test|"
                      r"make (test|check)|mvn test|gradle test|jest|vitest|mocha|rspec|phpunit|ctest)\b")


@dataclass
class Steering:
    nudge_after: int = 2  # the same call with the same result, in a row or within `window` turns: nudge
    stop_after: int = 5  # ... this many times: the run stops as stalled
    max_finish_nudges: int = 1
    last_signature: str = ""
    repeats: int = 0
    failed_check: str | None = None  # the last shell command, when it failed
    finish_nudges: int = 0
    targets: list[str] = field(default_factory=list)  # the files the task is about (not tests), when known
    whole: bool = False  # files are written as fenced blocks (the `whole` protocol), not with write_file
    definitions: bool = False  # files are changed a definition at a time (definition_edits)
    recent: list[str] = field(default_factory=list)  # signatures of the last turns, to catch A-B-A-B cycles
    window: int = 10

    def after_turn(self, results: list[tuple[ToolCall, Outcome]], track: bool = True) -> tuple[str, bool]:
        """A note to append for the model ("" for none), and whether the run should stop as stalled; `track`: note
        whether a test command the model ran failed."""
        if track:
            self._track_checks(results)
        signature = json.dumps([(c.name, c.arguments, o.text) for c, o in results], sort_keys=True)
        self.recent = [*self.recent, signature][-self.window:]
        in_row = self.repeats + 1 if signature == self.last_signature else 1
        self.repeats = max(in_row, self.recent.count(signature))  # in a row, or cycling within the window
        self.last_signature = signature
        if self.repeats >= self.stop_after:
            return "", True
        if self.repeats >= self.nudge_after:
            failed = not any(o.ok for _, o in results)
            what = "and it failed each time" if failed else "with the same result each time"
            return (f"You have now made this exact call {self.repeats} times {what}. Repeating it will not "
                    f"help. {self.next_step()}"), False
        return "", False

    def next_step(self) -> str:
        if self.targets:
            names = " or ".join(self.targets[:2])
            if self.definitions:
                return (f"Next, fix the code: send the corrected definitions of {names}, changed where the error "
                        "points: " + ("its path, then a fenced block holding only them." if self.whole else
                                      "a write_file call whose content is only them."))
            if self.whole:
                return f"Next, fix the code: write the complete corrected {names}: its path, then a fenced code block."
            return f"Next, fix the code: call write_file with the complete corrected content of {names}."
        return "Do something different: fix the code the error points at, or try another approach."

    def before_finish(self) -> str | None:
        """A reason not to accept a final answer yet: the last check run failed."""
        if self.failed_check is None or self.finish_nudges >= self.max_finish_nudges:
            return None
        self.finish_nudges += 1
        return (f"Not done yet: your last command `{self.failed_check}` failed. Fix the code so it passes, run it "
                "again, and only then give your final answer.")

    def _track_checks(self, results: list[tuple[ToolCall, Outcome]]) -> None:
        for call, outcome in results:
            command = str((call.arguments or {}).get("command", ""))
            if call.name != "run_shell" or not outcome.ok or not TEST_RUN.search(command):
                continue
            m = EXIT.match(outcome.text)
            failed = m is not None and (m.group(1) is None or m.group(1) != "0")
            self.failed_check = command if failed else None


class SteeringTactic(Tactic):
    """Nudges after repeated calls, stops a stalled run, and questions one final answer after a failing test run."""

    name = "steering"
    steering: Steering

    def start(self) -> None:
        if not hasattr(self, "steering"):
            self.steering = Steering(whole=self.state.protocol.mode == "whole")

    def after_turn(self, turn: Turn) -> None:
        s = self._synced()
        note, stalled = s.after_turn(turn.results, track=turn.check is None)  # the check's result wins over a run
        self.state.failed_check = s.failed_check
        if self.state.definitions and self.state.restart_due:
            return  # a repository's next attempt starts from the task: a repeat there is a new sample, not a stall
        if stalled and turn.stop is None:
            turn.stop = Stop("", "stalled", "the model repeated the same call without progress", notes=False)
        elif note:
            turn.notes.append(note)

    def objection(self) -> str | None:
        objection = self._synced().before_finish()
        if objection is not None:
            self.state.notice("final answer after a failing check; asking the model to fix it")
        return objection

    def _synced(self) -> Steering:
        self.start()
        self.steering.targets, self.steering.failed_check = self.state.targets, self.state.failed_check
        self.steering.definitions = self.state.definitions
        return self.steering
