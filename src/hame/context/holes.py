"""Where a one-statement repair is most likely: the statements to edit, or to mask and have a code model fill in
(tactics/fill_in.py).

From the localization evidence, most suspicious first: the library line each failing test's exception was raised
at; the lines the failing call ran in the best candidate, the last first (nearest the wrong result), a branch's
condition (a branch taken the wrong way) and another line in turn; the calls on the way to where it was raised,
each with the statements before it; then the statements of the two best ranked
definitions, from the last. Each line becomes its whole statement (a compound statement's header only), to
replace, and a gap before it, to insert a statement (a missing guard or branch); where an exception was raised, the
gap after the statement too."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .defindex import DefSpan, SourceFile, innermost
from .localize import Candidate, Evidence
from .testfiles import TEST_NAME

MAX_HOLES = 32  # the model fills them in this order while its time lasts; edits are cheap to try on all
MAX_UNTRACED = 6  # statements of an untraced candidate tried, from its last
MAX_BEFORE_CALL = 5  # statements before a call on the failure's way, tried with it (where its arguments came from)


@dataclass(frozen=True)
class Hole:
    """Lines `start`..`end` (1-based) of `path` to write anew; `end == start - 1` is a gap before `start`. `span`:
    the definition around it, whose text is the fill's context."""

    path: str
    start: int
    end: int
    span: DefSpan

    @property
    def insert(self) -> bool:
        return self.end < self.start


def holes(files: Mapping[str, SourceFile], ev: Evidence, ranked: Sequence[Candidate]) -> list[Hole]:
    """The holes to try, most suspicious first, at most MAX_HOLES."""
    lines: list[tuple[str, int]] = [(s.raised.path, s.raised.line) for s in ev.sites if s.raised is not None]
    raised = set(lines)
    if ev.ran is not None and (source := files.get(ev.ran[0])) is not None:
        ran = list(reversed(dict.fromkeys(ev.ran[1].lines)))
        tests = branch_tests(source)
        order = interleaved([n for n in ran if n in tests], [n for n in ran if n not in tests])
        lines += [(ev.ran[0], n) for n in order]
    for site in ev.sites:
        for frame in reversed(site.calls):
            lines += [(frame.path, n) for n in calls_lines(files.get(frame.path), frame.line)]
    for cand in ranked[:2]:
        if not TEST_NAME.search(cand.span.path) and cand.span.path in files:
            lines += [(cand.span.path, n) for n in reversed(body_lines(files[cand.span.path], cand.span))][
                :MAX_UNTRACED]
    out: list[Hole] = []
    for path, line in dict.fromkeys(lines):
        source = files.get(path)
        span = innermost(source.spans, line) if source else None
        if source is None or span is None or line <= span.start:
            continue
        start, end = statement(source, span, line)
        gaps = [Hole(path, start, end, span), Hole(path, start, start - 1, span)]
        after = next((n for n in body_lines(source, span) if n > end), None) if (path, line) in raised else None
        if after is not None:  # a check of what the raising line got (an empty read, a None) goes after it
            gaps.append(Hole(path, after, after - 1, span))
        for hole in gaps:
            if hole not in out:
                out.append(hole)
    return out[:MAX_HOLES]


def calls_lines(source: SourceFile | None, line: int) -> list[int]:
    """A call on the way to the failure, and the statements before it in its definition, nearest first."""
    span = innermost(source.spans, line) if source else None
    if source is None or span is None:
        return []
    before = [n for n in body_lines(source, span) if n < line]
    return [line, *reversed(before[-MAX_BEFORE_CALL:])]


def body_lines(source: SourceFile, span: DefSpan) -> list[int]:
    """The first line of each statement in a definition's body (its docstring left out), in order."""
    node = parsed_def(source, span)
    if node is None or isinstance(node, ast.ClassDef):  # a class's methods are candidates of their own
        return []
    out = []
    for child in ast.walk(node):
        if isinstance(child, ast.stmt) and child is not node and not is_docstring(child):
            out.append(child.lineno)
    return sorted(set(out))


def interleaved(first: list[int], second: list[int]) -> list[int]:
    """One of `first`, one of `second`, and so on; the rest of the longer one at the end."""
    out = [n for pair in zip(first, second, strict=False) for n in pair]
    return out + first[len(second):] + second[len(first):]


def branch_tests(source: SourceFile) -> set[int]:
    """The lines that hold an `if`/`elif`/`while` condition or a conditional expression."""
    try:
        tree = ast.parse(source.text)
    except SyntaxError:
        return set()
    return {node.test.lineno for node in ast.walk(tree) if isinstance(node, ast.If | ast.While | ast.IfExp)}


def statement(source: SourceFile, span: DefSpan, line: int) -> tuple[int, int]:
    """The lines of the innermost statement holding `line` (a compound statement's header up to its body); the
    line alone when the definition does not parse."""
    node = parsed_def(source, span)
    best = (line, line)
    if node is None:
        return best
    for child in ast.walk(node):
        if not isinstance(child, ast.stmt) or child is node or not child.lineno <= line <= (child.end_lineno or 0):
            continue
        body = getattr(child, "body", None)
        end = body[0].lineno - 1 if isinstance(body, list) and body and isinstance(body[0], ast.stmt) else (
            child.end_lineno or line)
        if child.lineno <= line <= max(end, child.lineno):
            best = (child.lineno, max(end, child.lineno))
    return best


def parsed_def(source: SourceFile, span: DefSpan) -> ast.AST | None:
    """The definition's syntax tree, line numbers as in the file."""
    text = "\n".join(source.lines[span.start - 1 : span.end])
    indent = len(text) - len(text.lstrip())
    try:
        tree = ast.parse("\n".join(line[indent:] for line in text.split("\n")))
    except SyntaxError:
        return None
    ast.increment_lineno(tree, span.start - 1)
    return tree.body[0] if tree.body else None


def is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
