"""Fresh attempts for a weak model that has a check to pass.

A small model that fails the check tends to rewrite the same wrong file again and again, its history growing with
each failure. So when a change fails the check (`--check`), hame cuts the history back to the task — whose KV cache
the server still holds, so the restart costs only the new tokens — and starts over from the task alone with a note
of what failed, to get a different solution rather than another edit of the same one.
Asked to repair its last attempt (shown with the check's output), the 1.5B wrote the very same file in 44 of 69
repairs and never passed; fresh starts wrote new code and passed 2 of 55 (bench/RESULTS.md, sessions 2 and 4).
`repair=True` alternates the two: after an odd failure the last attempt and its failure are kept, to repair;
after an even one (or when the model wrote exactly what already failed) it starts fresh.
The temperature rises with each failure (0.5, 0.6, ... 0.9): at the profile's low temperature a small model
writes the same wrong file again and again; at 1.0 the 1.5B's replies were junk 22 times in 93 (none at 0.5–0.9).
A final answer while the check fails also counts as a failure. After `max_restarts` the history grows as usual.
In a later turn of a session (a retry, the user's next message) a restart keeps the first task and the current
request, and drops the turns between them.
`plain=N` first retries the unchanged first request N times, with no note, at a low temperature (0.3, 0.4, 0.5,
0.3, ...): its prefix is in the server's KV cache, so a retry costs only its output, and different samples of the
same request at 0.2 passed different tasks, where noted restarts passed about 1 in 100 (bench/RESULTS.md, session 7).
The cut is recorded as a `compaction` event (tier "restart"), so a resumed session sees what the model saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import messages as msg
from ..context.clip import clip
from ..messages import Message

NOTE_CHARS = 1500
FRESH = ("[hame: your earlier versions did not pass the check and were set aside. The latest one failed with:]\n"
         "```\n{report}\n```\n"
         "Write a new, complete version of {target} that passes every test. Think about what the tests expect; "
         "do not repeat the earlier mistake.")

FOCUS = ("[hame: your {target} passes most tests, but not all. This is it now:]\n```\n{code}```\n"
         "[The check failed with:]\n```\n{report}\n```\n"
         "Fix only what fails. Send only the functions or methods that cause these failures, each complete and "
         "fixed (a method inside its `class` line): {how}. hame puts them in place of the old ones and keeps the "
         "rest of {target} as it is.")
FOCUS_CODE_CHARS = 6000  # a longer file is not shown again: the attempt starts fresh instead
NEAR = re.compile(r"(\d+) failed, (\d+) passed")  # the counts line of context/pytest_report.py


@dataclass
class Restarts:
    temperatures: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9)  # after 1, 2, 3... noted restarts
    max_restarts: int = 20  # noted restarts (plain retries come on top): the 0.5B spent 12 in 150 s of its 240
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

    def failed(self, report: str, fresh: bool = False, change: str = "") -> None:
        """A failed check after `change` (a key of what was written); `fresh`: the next attempt starts from the task
        alone — for a final answer despite the failure, or a change that already failed once (a small model
        asked to repair its code at a low temperature often writes the very same code again). A plain retry that
        writes what already failed ends the plain retries: that request's samples do not differ enough (the 1.5B
        wrote house's same wrong file 6 times at 0.3-0.5), so the noted restarts follow."""
        repeat = bool(change) and change in self.failed_changes
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
                code: str | None = None, how: str = "", reminder: str = "") -> list[Message] | None:
        """The history to continue from, or None when no restart is due (or the task cannot be found). With
        `focus`, after a near miss that did not follow a focused attempt, the note shows `code` (the target's
        content now) and asks for only the definitions to fix, written `how`. A fresh start's note ends with
        `reminder` (how to write the file: after a note holding a fenced report, the 1.5B answered in `whole` with
        a fenced path and a junk line like `obj['code']` in 3 of 5 tries; with the reminder, 0 of 5)."""
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
        note = FRESH.format(report=report, target=target)
        return [*prefix, msg.user(f"{note} {reminder}" if reminder else note)]


def near_miss(report: str) -> bool:
    """A pytest run where at least as many tests passed as failed (and none errored)."""
    line = next((line for line in report.splitlines() if line.startswith("pytest: ")), "")
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
