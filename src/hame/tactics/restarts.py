"""Restarts (with plain retries first): after a failed check, continue from the task, not the whole history.

A small model that fails the check tends to rewrite the same wrong file again and again, its history growing with
each failure. So when a change fails the check, the history is cut back to the task (whose KV cache the server
still holds) and the next attempt starts from it with a note of what failed, at a higher temperature. `plain=N`
first resends the unchanged first request N times, with no note. `focus`: after a near miss, the note shows the
file and asks for only the definitions to fix (tactics/focus.py puts them in place). A final answer while the check
fails, and a reply cut while it streamed, count as failures too. The cut is recorded as a `compaction` event (tier
"restart"), so a resumed session sees what the model saw. On a repository, where a write changes only some
definitions of a file (definition_edits), a restart also puts the files the request changed back as they were:
the next attempt starts from the task and the code it shows, not from the failed attempt's leftovers.
Evidence and figures: docs/tactics.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import messages as msg
from ..agent.autocheck import FILE_TOOLS
from ..agent.protocol import COPYING, ECHOED, ECHOING
from ..context.clip import clip
from ..errors import ToolError
from ..events import Compaction
from ..messages import Message
from ..tools.paths import relative, resolve
from ..tools.splice import same_code
from .base import Reply, Shape, Tactic, Turn

NOTE_CHARS = 1500
FRESH = ("[hame: your earlier versions did not pass the check and were set aside. The latest one failed with:]\n"
         "```\n{report}\n```\n"
         "Write a new, complete version of {target} that passes every test. Think about what the tests expect; "
         "do not repeat the earlier mistake.")
FRESH_DEFINITIONS = ("[hame: your earlier changes did not pass the check and were set aside. The latest one failed "
                     "with:]\n```\n{report}\n```\n"
                     "Send a new version of only the definitions of {target} to fix, each complete, so that every "
                     "test passes. Think about what the tests expect; do not repeat the earlier mistake.")

UNCHANGED = ("Your latest version was the code as it was (the same code, blank lines, comments and docstrings aside): "
             "the bug is in that code, so change it.")

FOCUS = ("[hame: your {target} passes most tests, but not all. This is it now:]\n```\n{code}```\n"
         "[The check failed with:]\n```\n{report}\n```\n"
         "Fix only what fails. Send only the functions or methods that cause these failures, each complete and "
         "fixed (a method inside its `class` line): {how}. hame puts them in place of the old ones and keeps the "
         "rest of {target} as it is.")
FOCUS_CODE_CHARS = 6000  # a longer file is not shown again: the attempt starts fresh instead
NEAR = re.compile(r"(\d+) failed, (\d+) passed")  # the counts line of context/pytest_report.py
FAILING = re.compile(r"(\d+) (?:failed|errors?)\b")
PASSING = re.compile(r"(\d+) passed\b")


@dataclass
class Restarts:
    temperatures: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9)  # after 1, 2, 3... noted restarts
    max_restarts: int = 20  # noted restarts (plain retries come on top)
    plain: int = 0  # the first failures retry the first request as it was: no note, a new sample
    plain_temperatures: tuple[float, ...] = (0.3, 0.4, 0.5)  # cycled over the plain retries
    repair: bool = False  # alternate repair and fresh restarts instead of fresh ones only
    focus: bool = False  # after a near miss (most tests pass), ask for only the definitions to fix
    near: bool = False  # the last failure was a near miss
    failures: int = 0  # failed checks (and final answers given while the check failed)
    pending: bool = False
    report: str = ""  # the last failing check's output, as the model saw it
    kind: str = ""  # the last restart: "repair" (the task, the last attempt and its failure) or "fresh"
    failed_changes: set[str] = field(default_factory=set)
    unchanged: bool = False  # the last failure came from a write that left the code as the request found it

    def failed(self, report: str, fresh: bool = False, change: str = "", unchanged: bool = False) -> None:
        """A failed check after `change` (a key of what was written); `fresh`: the next attempt starts from the task
        alone — for a final answer despite the failure, or a change that already failed once. A plain retry that
        writes what already failed ends the plain retries: that request's samples do not differ enough; so does
        one whose write left the code `unchanged` (a copy of the code shown, which failed before any change)."""
        repeat = bool(change) and change in self.failed_changes or unchanged
        self.unchanged = unchanged
        fresh = fresh or repeat
        self.failed_changes.add(change)
        self.failures += 1 + (fresh and self.repair and self.failures % 2 == 0)  # skip the repair that was due
        if repeat and self.failures <= self.plain:
            self.failures = self.plain + 1
        self.report = report
        self.near = not fresh and near_miss(report)
        self.pending = self.failures <= self.max_restarts + self.plain

    def left(self) -> bool:
        """Restarts remain: a failure now still starts a fresh attempt."""
        return self.failures < self.max_restarts + self.plain

    def passed(self) -> None:
        """The check passes: the next failure (a later request in the session) starts the count again."""
        self.pending = False
        self.report = ""
        self.failures = 0

    def temperature(self, base: float | None) -> float | None:
        """The profile's temperature for the first try, then higher after each failure, for different code."""
        if self.failures == 0:
            return base
        if self.failures <= self.plain:
            return max(base or 0.0, self.plain_temperatures[(self.failures - 1) % len(self.plain_temperatures)])
        noted = self.failures - self.plain
        return max(base or 0.0, self.temperatures[min(noted, len(self.temperatures)) - 1])

    def rebuild(self, messages: list[Message], request: Message | None, target: str = "the file",
                code: str | None = None, how: str = "", reminder: str = "", fresh: str = FRESH
                ) -> list[Message] | None:
        """The history to continue from, or None when no restart is due (or the task cannot be found). With
        `focus`, after a near miss that did not follow a focused attempt, the note shows `code` (the target's
        content now) and asks for only the definitions to fix, written `how`. A fresh start's note ends with
        `reminder` (how to write the file); `fresh`: its note (FRESH, or FRESH_DEFINITIONS)."""
        if not self.pending:
            return None
        self.pending = False
        end = _index(messages, request)
        if end is None:
            return None
        prefix = _prefix(messages, end)
        if self.failures <= self.plain:
            self.kind = "plain"
            return prefix
        if self.repair and self.failures % 2:
            last = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
            if last > end:
                self.kind = "repair"
                return prefix + messages[last:]
        report = clip(self.report.strip(), NOTE_CHARS, head_share=0.6).text
        if self.focus and self.near and self.kind != "focus" and code and len(code) <= FOCUS_CODE_CHARS:
            self.kind = "focus"
            return [*prefix, msg.user(FOCUS.format(target=target, code=code if code.endswith("\n") else code + "\n",
                                                   report=report, how=how or "written to " + target))]
        self.kind = "fresh"
        note = fresh.format(report=report, target=target) + (" " + UNCHANGED if self.unchanged else "")
        return [*prefix, msg.user(f"{note} {reminder}" if reminder else note)]


def counts_line(report: str) -> str:
    """The `pytest: 1 failed, 17 passed ...` (or `unittest: ...`) line of a check's report
    (context/pytest_report.py), or ""."""
    return next((line for line in report.splitlines() if line.startswith(("pytest: ", "unittest: "))), "")


def progressed(report: str, before: str) -> bool:
    """Whether a pytest (or unittest) run's report counts fewer failing tests (failed and errors) or more passing
    ones than `before`'s: a test file that did not import (one error, none passed) and now runs with a few failing
    is closer."""
    now, then = counts_line(report), counts_line(before)
    return bool(now and then) and (_total(FAILING, now) < _total(FAILING, then)
                                   or _total(PASSING, now) > _total(PASSING, then))


def _total(pattern: re.Pattern[str], line: str) -> int:
    return sum(map(int, pattern.findall(line)))


def near_miss(report: str) -> bool:
    """A pytest run where at least as many tests passed as failed (and none errored)."""
    line = counts_line(report)
    m = NEAR.search(line)
    return bool(m) and int(m.group(2)) >= int(m.group(1)) > 0 and "error" not in line


def _prefix(messages: list[Message], end: int) -> list[Message]:
    """What every attempt starts from: the messages before the session's first turn (system prompt, instructions),
    its first request (the task, with the files attached), and the current request when it is a later one (a
    retry, the user's next message): the turns between them are dropped like a failed attempt."""
    first = next((i for i, m in enumerate(messages[:end + 1]) if m.get("role") == "user"), end)
    head = messages[:first + 1]
    return head if first == end else [*head, messages[end]]


def _index(messages: list[Message], request: Message | None) -> int | None:
    if request is None:
        return None
    for i, m in enumerate(messages):
        if m is request:
            return i
    for i, m in enumerate(messages):
        if m == request:
            return i
    return None


CUT_NOTES = {"repetition": "Your reply degenerated into repeating the same text and was cut off. Write simpler code, "
                           "without long repeated lines.",
             "length": "Your reply was too long and was cut off at the output limit before it was complete. Write "
                       "shorter code: only what the tests need, without copying the tests.",
             ECHOING: ECHOED,
             COPYING: "Your reply was copying the test file into the code file, so it was cut off. Write the code "
                      "that the tests import and call, not the tests."}


class PlainRetries(Tactic):
    """Named in a profile, it gives `restarts` its plain retries (the profile's `plain_retries` count)."""

    name = "plain_retries"


class RestartTactic(Tactic):
    name = "restarts"
    originals: dict[Path, str | None]  # the files this request's calls write, as they were before (None: absent)

    def start(self) -> None:
        s = self.state
        self.originals = {}
        if self.state.checker is None:
            self.restarts: Restarts | None = None
            return
        if getattr(self, "restarts", None) is None:
            plain = s.options.get("plain_retries", 0) if PlainRetries.name in s.names else 0
            self.restarts = Restarts(focus="focus" in s.names, plain=plain)
        first = s.first_check()
        if first is not None and not first.passed:
            self.restarts.report = first.report

    def rebuild(self, messages: list[Message]) -> list[Message] | None:
        r, s = self.restarts, self.state
        if r is None:
            return None
        s.restart_due = False
        targets = s.targets
        one = targets[0] if len(targets) == 1 else None
        whole = s.protocol.mode == "whole"
        reminder = (f"Reply with {one} on one line, then the whole file in one fenced code block." if one and whole
                    else "")
        if s.definitions and one and whole:  # a repository's file is changed a definition at a time (definition_edits)
            reminder = f"Reply with {one} on one line, then one fenced block holding only those definitions."
        code = self._current(one) if r.focus else None
        how = (f"{one or ''} on one line, then one fenced block holding them" if whole
               else f"one write_file call for {one or ''} whose content is only those definitions")
        history = r.rebuild(messages, s.request, " or ".join(targets[:2]) or "the file", code, how, reminder,
                            FRESH_DEFINITIONS if s.definitions else FRESH)
        if history is None or history == messages:
            return None
        s.focus_file = one if r.kind == "focus" else None
        put_back = self._put_back() if s.definitions and r.kind in ("plain", "fresh") else []
        again = f"; put back as they were: {', '.join(put_back)}" if put_back else ""
        s.notice(f"check failed {r.failures}x: restarting from the task ({r.kind}, temperature {s.temperature()})"
                 f"{again}")
        s.emit(Compaction(step=s.ctx.step, tier="restart", tokens_before=msg.messages_tokens(messages),
                          tokens_after=msg.messages_tokens(history), messages=list(history)))
        return history

    def _put_back(self) -> list[str]:
        """Restore the files this request changed to their content before its first change (definition-level
        writes of earlier attempts would otherwise pile up under the next one); the paths put back."""
        restored = []
        for path, text in self.originals.items():
            try:
                if (path.read_text(encoding="utf-8") if path.is_file() else None) == text:
                    continue
                if text is None:
                    path.unlink()
                else:
                    path.write_text(text, encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            restored.append(relative(self.state.ctx.workspace, path))
        return restored

    def _remember(self, calls: list) -> None:
        """Before a reply's writes run: keep each file's content as the request found it (once per file)."""
        for call in calls:
            rel = call.arguments.get("path") if call.name in ("write_file", "edit_file") else None
            try:
                path = resolve(self.state.ctx.workspace, rel) if isinstance(rel, str) else None
                if path is None or path in self.originals or path.is_dir():
                    continue
                self.originals[path] = path.read_text(encoding="utf-8") if path.is_file() else None
            except (ToolError, OSError, UnicodeDecodeError):
                continue  # the write itself reports a bad path; a file not readable as text is not put back

    def _current(self, rel: str | None) -> str | None:
        """The content of the one file to change, for a focused repair (None when it cannot be read)."""
        path = self.state.ctx.workspace / rel if rel else None
        try:
            return path.read_text(encoding="utf-8") if path and path.is_file() else None
        except (OSError, UnicodeDecodeError):
            return None

    def shape(self, shape: Shape) -> None:
        if self.restarts is not None:
            shape.temperature = self.restarts.temperature(shape.temperature)

    def judge(self, reply: Reply) -> None:
        """A reply cut while it streamed is a failed try: at the same temperature it happens again."""
        r = self.restarts
        if r is not None:
            self._remember(reply.calls)
        if r is None or not reply.problem or reply.response.finish_reason not in CUT_NOTES:
            return
        reply.counted = not r.left()
        r.failed(CUT_NOTES[reply.response.finish_reason or ""], fresh=True)

    def rescue(self, problem: str) -> bool:
        """Unusable replies in a row start a fresh attempt instead of ending the run: their history would only be
        repeated."""
        r = self.restarts
        if r is None or not self.state.failed_check or not r.left():
            return False
        r.failed(problem, fresh=True)
        self.state.notice("unusable replies in a row: starting a fresh attempt")
        return True

    def after_turn(self, turn: Turn) -> None:
        r, check = self.restarts, turn.check
        if r is None or check is None:
            return
        if check.passed:
            r.passed()
            return
        written = [(c.name, c.arguments) for c, o in turn.results if c.name in FILE_TOOLS and o.ok]
        unchanged = bool(written) and self._unchanged()
        if unchanged:
            self.state.notice("the change left the code as it was before the first change")
        r.failed(check.report, change=json.dumps(written, sort_keys=True), unchanged=unchanged)
        self.state.restart_due = r.pending
        first = self.state.first_check()
        if (self.state.definitions and r.pending and not (r.repair or r.focus) and first is not None
                and not progressed(check.report, first.report) and (put_back := self._put_back())):
            self.state.notice(f"put back as they were: {', '.join(put_back)} (the change made no fewer tests fail "
                              "and no more pass; a run stopped now leaves no worse code behind)")

    def _unchanged(self) -> bool:
        """Whether every file this request wrote holds the same code as before its first change (a Python file:
        blank lines, comments and docstrings aside)."""
        for path, text in self.originals.items():
            try:
                now = path.read_text(encoding="utf-8") if path.is_file() else None
            except (OSError, UnicodeDecodeError):
                return False
            if now != text and (now is None or text is None or not path.suffix == ".py" or not same_code(text, now)):
                return False
        return bool(self.originals)

    def objection(self) -> str | None:
        r, s = self.restarts, self.state
        if r is None or not s.failed_check or not r.left():
            return None
        r.failed(r.report or f"`{s.failed_check}` failed", fresh=True)
        s.notice("final answer while the check fails: starting a fresh attempt")
        return "The check still fails; the task is not done."
