"""Repair the suspicious line first: on a repository task the localized view framed (localize), before the model is
asked anything, take the statements localization suspects most (context/holes.py); try each one's one-token edits
(context/mutants.py: a boundary, an operator, a negation, what the error names), then mask each and let the model
fill the gap in the middle of its definition (its own fill-in-the-middle tokens, the failing tests as another file
it reads); run the check on each distinct proposal, and keep one that makes it pass and breaks no docstring
example. A fill that makes
fewer tests fail and none newly fail is kept while the search goes on at the other holes (two sites of one bug).
Nothing that passes in the time given: every file is put back and the model is asked as before. Why: a weak model
that re-types a shown definition unchanged can still complete one masked statement, and a fill costs a small part
of a whole reply; the commonest one-line bugs need no model at all, and an edit of one token is the least a fix
can change."""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import takewhile

from ..context import localize_signals as sig
from ..context.defindex import DefSpan, SourceFile, enclosing, innermost
from ..context.holes import Hole, holes
from ..context.localize import Evidence, rank
from ..context.mutants import mutants
from ..context.testfiles import TEST_NAME
from ..errors import ProviderError
from ..messages import Usage
from ..providers.base import InfillRequest
from ..sandbox.command import SandboxError
from .base import Stop, Tactic

SECONDS = 200  # the model's fills' time (the profile's `fill_in_seconds` option); the rest is the chat model's
EDIT_SHARE = 0.5  # the one-token edits' time, at most, before the fills' (a check each: on a slow suite, many)
SLOWER, MIN_CHECK_SECONDS = 4, 10  # a proposal's check may run 4 times as long as the first, 10 s at least
SAMPLES = 4  # fills per hole: the greedy one, then sampled ones
TEMPERATURE = 0.8
MAX_TESTS = 2  # failing tests the model reads with each gap
MORE_LINES = 1  # a fill may be this many lines longer than the statement it replaces
INSERT_LINES = 3
COUNT = re.compile(r"(\d+) (passed|failed|errors?)\b")


@dataclass(frozen=True)
class Tally:
    """A check run: passed, and which tests failed (pytest's ids) and how many passed."""

    ok: bool
    failed: frozenset[sig.TestId]
    passed: int
    failures: int = 0  # failed and errors, as pytest counts them

    def better_than(self, other: Tally) -> bool:
        return self.ok or (self.failed < other.failed and self.passed > other.passed)


@dataclass
class Search:
    """One request's search: the files as they were, what was kept, what it cost."""

    original: dict[str, str] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    edits: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)  # per file, as `moved` reads them
    examples: dict[tuple[str, ...], Tally | None] = field(default_factory=dict)  # docstring examples before
    deadline: float = 0.0
    timeout: float = 0.0  # a proposal's check that runs far longer than the first hangs (an edit made a loop endless)
    tried: int = 0  # one-token edits proposed
    fills: int = 0
    checks: int = 0


Proposal = tuple[list[str], tuple[str, str] | None, str | None]  # the hole's new lines, a rename, what it is
Propose = Callable[[Hole, Hole, list[str], Search], Iterator[Proposal]]  # (the hole, as it is now, the file, ...)


class FillIn(Tactic):
    name = "fill_in"

    def settle(self) -> Stop | None:
        s = self.state
        view, fill = s.view, s.infill
        if view is None or view.evidence is None or s.checker is None:
            return None
        first = s.first_check()
        if first is None or first.passed:
            return None
        self.files = files = view.files_index
        ev = view.evidence
        todo = holes(files, ev, rank(files, ev))
        began = time.monotonic()
        before = self._tally()
        if not todo or before is None:
            return None
        seconds = s.options.get("fill_in_seconds", SECONDS)
        search = Search(deadline=time.monotonic() + EDIT_SHARE * seconds,
                        timeout=max(MIN_CHECK_SECONDS, SLOWER * (time.monotonic() - began)))
        raised = {(site.raised.path, site.raised.line): site.error for site in ev.sites if site.raised is not None}
        edits, fills = self._edits(raised), self._fills(test_context(files, ev, view.task))
        try:
            for propose, gaps in ((edits, [h for h in todo if not h.insert]), (fills, todo if fill else [])):
                for hole in gaps:
                    if time.monotonic() > search.deadline:
                        break
                    found = self._try(hole, propose, before, search)
                    if found is None:
                        continue
                    before = found
                    if found.ok:
                        return self._done(search)
                search.deadline = time.monotonic() + seconds  # the model's fills get their whole time after the edits
        except ProviderError as exc:
            s.notice(f"fill_in: stopped ({exc})")
        self._put_back(search)
        s.notice(f"fill_in: nothing passes the check ({search.tried} edits and {search.fills} fills of {len(todo)} "
                 f"holes, {search.checks} checks); the model is asked")
        return None

    def _try(self, hole: Hole, propose: Propose, before: Tally, search: Search) -> Tally | None:
        """The first proposal for `hole` that does better than `before`, left in place; None (the file as it was)."""
        path = self.state.ctx.workspace / hole.path
        try:
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        search.original.setdefault(hole.path, old)
        lines = old.split("\n")
        now = moved(hole, search.edits.get(hole.path, []))
        if now is None:
            return None
        seen, began, tried, fills = {code_of(old)}, time.monotonic(), [], search.fills
        for body, rename, label in propose(hole, now, lines, search):
            new = "\n".join([*lines[: now.start - 1], *body, *lines[now.end :]])
            if rename:
                new = re.sub(rf"\.{re.escape(rename[0])}\b", f".{rename[1]}", new)
            if code_of(new) in seen or not compiles(new, hole.path):
                continue
            seen.add(code_of(new))
            tried.append(label or " / ".join(b.strip() for b in body) or "(nothing)")
            path.write_text(new, encoding="utf-8")
            search.checks += 1
            after = self._tally(timeout=search.timeout)
            if after is not None and after.better_than(before) and (not after.ok or self._examples_hold(search)):
                search.kept.append(f"{hole.path} line {now.start}: {tried[-1]}")
                search.edits.setdefault(hole.path, []).append((hole.start, hole.end, len(body) - size(hole)))
                return after
        path.write_text(old, encoding="utf-8")
        if search.fills > fills:  # the model's fills are told one hole at a time; edits in the final count
            where = f"{hole.path} line {now.start}" + (" (before it)" if now.insert else "")
            self.state.notice(f"fill_in: {where}: {len(tried)} new fills checked, none better "
                              f"({time.monotonic() - began:.0f}s){': ' if tried else ''}{' | '.join(tried)[:300]}")
        return None

    def _edits(self, raised: dict[tuple[str, int], str]) -> Propose:
        """Proposes the statement's one-token edits (context/mutants.py), no model asked."""
        def propose(first: Hole, hole: Hole, lines: list[str], search: Search) -> Iterator[Proposal]:
            error = next((e for (p, n), e in raised.items() if p == first.path and first.start <= n <= first.end), "")
            for m in mutants(lines[hole.start - 1 : hole.end], error, "\n".join(lines)):
                if time.monotonic() > search.deadline:
                    return
                search.tried += 1
                yield list(m.lines), m.rename, m.what
        return propose

    def _fills(self, tests: tuple[tuple[str, str], ...]) -> Propose:
        """Proposes the model's fills of the gap: the greedy one, then samples."""
        def propose(first: Hole, hole: Hole, lines: list[str], search: Search) -> Iterator[Proposal]:
            source = self.files[hole.path]
            prefix, suffix = around(lines, hole, [source.lines[s.start - 1] for s in enclosing(source.spans,
                                                                                                 first.span)])
            for n in range(SAMPLES):
                if time.monotonic() > search.deadline:
                    return
                reply = self.state.infill(InfillRequest(  # type: ignore[misc]
                    prefix, suffix, tests, 0.0 if n == 0 else TEMPERATURE, max_tokens(hole), seed=n,
                    enough=lambda text: enough(text, hole, suffix)))
                search.fills += 1
                if self.state.usage is not None:
                    self.state.usage.add(Usage(reply.prompt_tokens, reply.output_tokens, reply.cached_tokens))
                for body in bodies(reply.text, reply.cut, hole, suffix):
                    yield body, None, None
        return propose

    def _examples_hold(self, search: Search) -> bool:
        """The changed modules' docstring examples fail no more than they did: a check can pass a fill that breaks
        what its tests do not cover. Their failures before any fill are counted once per set of modules."""
        ws = self.state.ctx.workspace
        paths = tuple(rel for rel, text in search.original.items() if rel.endswith(".py") and ">>>" in text)
        if not paths:
            return True
        command = "python -m pytest -q -p no:cacheprovider --doctest-modules " + " ".join(map(shlex.quote, paths))
        after = self._tally(command)
        if paths not in search.examples:
            now = {rel: (ws / rel).read_text(encoding="utf-8") for rel in paths}
            for rel in paths:
                (ws / rel).write_text(search.original[rel], encoding="utf-8")
            search.examples[paths] = self._tally(command)
            for rel, text in now.items():
                (ws / rel).write_text(text, encoding="utf-8")
        before = search.examples[paths]
        return after is not None and before is not None and (after.ok or after.failures <= before.failures)

    def _tally(self, command: str | None = None, timeout: float | None = None) -> Tally | None:
        s = self.state
        assert s.checker is not None
        try:
            res = s.ctx.shell(command or s.checker.command, min(timeout or s.checker.timeout, s.checker.timeout))
        except SandboxError:
            return None
        counts = {kind.rstrip("s"): int(n) for n, kind in COUNT.findall(res.output)}
        ok = res.exit_code == 0 and not res.timed_out
        return Tally(ok, frozenset(sig.test_ids(res.output)), counts.get("passed", 0),
                     counts.get("failed", 0) + counts.get("error", 0))

    def _done(self, search: Search) -> Stop:
        s = self.state
        for rel in search.original:
            if (s.ctx.workspace / rel).read_text(encoding="utf-8") != search.original[rel]:
                s.ctx.changed(rel)
        result = s.check()
        text = "; ".join(search.kept)
        s.notice(f"fill_in: the check passes after {search.fills} fills ({search.checks} checks): {text}")
        if result is None or not result.passed:
            self._put_back(search)
            return Stop("", "check_failed", "the check failed again after the fill that passed it")
        return Stop(f"Repaired at the most suspicious lines: {text}", "completed")

    def _put_back(self, search: Search) -> None:
        for rel, text in search.original.items():
            (self.state.ctx.workspace / rel).write_text(text, encoding="utf-8")
        search.kept.clear()


def test_context(files: dict[str, SourceFile], ev: Evidence, task: str) -> tuple[tuple[str, str], ...]:
    """The failing tests' code as files the model reads before the gap, the task's first line a comment above them
    and each test's error a comment under it."""
    out: dict[str, list[str]] = {}
    for site in ev.sites[:MAX_TESTS]:
        source = files.get(site.line.path)
        span = innermost(source.spans, site.line.line) if source else None
        if source is None or span is None or not TEST_NAME.search(source.path):
            continue
        code = "\n".join(source.lines[span.start - 1 : span.end])
        out.setdefault(source.path, []).append(f"{code}\n    # fails: {site.error.strip()[:200]}\n")
    title = next((line.strip("# ").strip() for line in task.splitlines() if line.strip("# ").strip()), "")
    head = f"# These tests fail because of a bug: {title[:200]}\n\n" if title else ""
    return tuple((path, head + "\n".join(parts)) for path, parts in out.items())


def around(lines: list[str], hole: Hole, head: list[str]) -> tuple[str, str]:
    """The gap's context: its definition before and after it, after `head` (a method's class line)."""
    before = [*head, *lines[hole.span.start - 1 : hole.start - 1]]
    after = lines[hole.end : hole.span.end]
    return "\n".join(before) + "\n", "\n".join(after) + "\n"


def moved(hole: Hole, edits: list[tuple[int, int, int]]) -> Hole | None:
    """The hole in the file as it is now, given the fills kept (first line, last line, lines added; in the file's
    first numbering); None when a kept fill changed its lines."""
    shift = span_start = span_end = 0
    for start, end, delta in edits:
        if start <= hole.start <= end or start <= hole.end <= end:
            return None
        shift += delta if end < hole.start else 0
        span_start += delta if end < hole.span.start else 0
        span_end += delta if end <= hole.span.end else 0
    span = DefSpan(hole.span.path, hole.span.qualname, hole.span.start + span_start, hole.span.end + span_end)
    return Hole(hole.path, hole.start + shift, hole.end + shift, span)


def max_tokens(hole: Hole) -> int:
    return 16 + 32 * (INSERT_LINES if hole.insert else size(hole) + MORE_LINES)


def size(hole: Hole) -> int:
    return hole.end - hole.start + 1


def bodies(text: str, cut: bool, hole: Hole, suffix: str) -> list[list[str]]:
    """What a fill may put in the hole, shortest first. A small instruct model rarely ends a fill where it should
    and goes on writing: the suffix it re-typed is cut, and a replacement is read as the hole's number of lines and
    one more; an insertion as its first statement (the first line and those indented under it)."""
    lines = text.split("\n")[:-1] if cut or text.endswith("\n") else text.split("\n")
    nxt = first_code(suffix)
    if nxt is not None and nxt in (x.strip() for x in lines):
        lines = lines[: [x.strip() for x in lines].index(nxt)]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():  # a fill that starts on a blank line is read from its first code
        lines.pop(0)
    if all(not x.strip() or x.strip().startswith("#") for x in lines):
        return []  # no code (a comment, nothing): deleting the statement is rarely the fix
    if hole.insert:
        statement = lines[:1] + list(takewhile(lambda x: not x.strip() or indent(x) > indent(lines[0]), lines[1:]))
        return [statement] if statement and len(statement) <= INSERT_LINES else []
    out = [lines[:n] for n in range(size(hole), size(hole) + MORE_LINES + 1) if n <= len(lines)]
    return out or [lines]


def enough(text: str, hole: Hole, suffix: str) -> bool:
    """The fill so far holds all that `bodies` reads of it: the rest would be cut anyway."""
    done = text.split("\n")[:-1]
    nxt = first_code(suffix)
    if nxt is not None and nxt in (x.strip() for x in done):
        return True
    if not hole.insert:
        return len(done) > size(hole) + MORE_LINES
    started = text.split("\n")[1:]  # the line being written shows its indent once it has a word
    return len(done) > INSERT_LINES or any(x.strip() and indent(x) <= indent(done[0]) for x in started)


def first_code(suffix: str) -> str | None:
    """The code after the hole, its first non-blank line stripped: a fill that reaches it re-types the suffix."""
    return next((x.strip() for x in suffix.split("\n") if x.strip()), None)


def indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def code_of(text: str) -> str:
    """The text without blank lines and trailing spaces: two fills equal in it are one to check."""
    return "\n".join(line.rstrip() for line in text.split("\n") if line.strip())


def compiles(text: str, path: str) -> bool:
    if not path.endswith(".py"):
        return True
    try:
        compile(text, path, "exec")
    except (SyntaxError, ValueError):
        return False
    return True
