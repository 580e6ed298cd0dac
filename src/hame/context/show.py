"""Show definitions, not files: the code of a few definitions with what a reader needs around them (the module's
imports, the header of the class a method is in), and the failing tests' code and errors, within a token budget."""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from hame.context.defindex import DefSpan, SourceFile, enclosing, index_repository
from hame.context.localize import Candidate, Evidence, Runner, Site, gather, rank, run_check
from hame.context.localize_signals import Frame, owner_class
from hame.context.repomap import estimate_tokens
from hame.context.spectrum import suspicious
from hame.context.trace_path import Call, traced
from hame.tools.splice import own_docstring

MAX_IMPORT_LINES = 30
MAX_ERROR_LINES = 12
MAX_SITES = 6  # failing tests whose failure site is shown
MAX_RAN_LINES = 15  # lines the failing call ran, shown (the last ones in the file)
MAX_CANDIDATES = 8
MAX_TESTS = 4  # failing tests whose code is shown; more are named (a bug in a helper can fail dozens)
MAX_TESTS_NAMED = 6
MAX_TEST_LINES = 40  # a longer failing test is shown up to a few lines after the line that failed
AFTER_FAILED = 8
KEEP_SHARE = 0.4  # a candidate scoring under this share of the best one is left out: it dilutes a small model's view
DOC_LINES = 3  # a longer docstring is shown as its first words: what a small model sees, it re-types
DOC_OPEN = re.compile(r"^(\s*[rRuU]?)(\"\"\"|\'\'\')(.*)$")
TEST_SHARE = 0.4  # at most this part of the budget goes to the failing tests; the rest to the code


def definition_lines(source: SourceFile, span: DefSpan) -> tuple[int, int]:
    """1-based [first, last] lines of a definition, its decorators (the `@...` lines above it) included."""
    lines, first = source.lines, span.start
    indent = indentation(lines[span.start - 1])
    while first > 1 and lines[first - 2].strip().startswith("@") and indentation(lines[first - 2]) == indent:
        first -= 1
    return first, span.end


def indentation(line: str) -> int:
    return len(line) - len(line.lstrip())


def numbered(lines: Sequence[str], first: int) -> str:
    return numbered_rows(enumerate(lines, first))


def numbered_rows(rows: Iterable[tuple[int, str]]) -> str:
    return "\n".join(f"{n:>5}  {line}" for n, line in rows)


def without_long_docstrings(source: SourceFile, first: int, last: int) -> str:
    """Lines `first`..`last` of a Python file, numbered, each docstring over DOC_LINES lines cut to one line of its
    first words and `...` (the numbers then skip; tools/splice.py keeps the docstring a reply shortens so)."""
    lines = source.lines[first - 1 : last]
    rows = list(enumerate(lines, first))
    dedented = textwrap.dedent("\n".join(lines))
    plain = dedented.split("\n")  # the lines the tree's columns count in
    try:
        tree = ast.parse(dedented) if source.path.endswith(".py") else None
    except (SyntaxError, ValueError):
        tree = None
    for node in sorted(ast.walk(tree) if tree else [], key=lambda n: -getattr(n, "lineno", 0)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        doc = node.body[0]
        end = doc.end_lineno or doc.lineno
        if own_docstring(node, plain) is None or end - doc.lineno < DOC_LINES:
            continue  # none, or one the splice could not put back (it shares a line with code), or short
        if (short := _first_words(lines[doc.lineno - 1 : end])) is not None:
            rows[doc.lineno - 1 : end] = [(first + doc.lineno - 1, short)]
    return numbered_rows(rows)


def _first_words(doc: list[str]) -> str | None:
    """A docstring's opening line with its first words and `...`: `    \"\"\"Convert a plural ...\"\"\"`."""
    if not (m := DOC_OPEN.match(doc[0])):
        return None
    start, quote, words = m.groups()
    words = words.strip() or doc[1].strip()
    if quote in words or words.endswith("\\"):
        return None
    return f"{start}{quote}{words} ...{quote}"


def import_lines(source: SourceFile) -> list[str]:
    """The module's top-level import lines (Python `import`/`from`, JS/TS `import`, Go/Rust `use`...)."""
    keep = [line for line in source.lines if line.startswith(("import ", "from ", "use ", "#include", "require"))]
    return keep[:MAX_IMPORT_LINES]


def render_definition(source: SourceFile, span: DefSpan, with_imports: bool = True) -> str:
    """One definition as numbered source lines, under its enclosing class's (or function's) header line."""
    parts = [f"## {span.path} :: {span.qualname} (lines {span.start}-{span.end})"]
    if with_imports and (imports := import_lines(source)):
        parts.append("\n".join(imports))
        parts.append("...")
    for outer in enclosing(source.spans, span):
        first, _ = definition_lines(source, outer)
        parts.append(numbered(source.lines[first - 1 : outer.start], first))
        parts.append("    ...")
    first, last = definition_lines(source, span)
    parts.append(without_long_docstrings(source, first, last))
    return "\n".join(parts)


def render_tests(files: Mapping[str, SourceFile], ev: Evidence) -> list[str]:
    """The failing tests' code (the first MAX_TESTS, the others named), then the errors they end with."""
    blocks = []
    failed_at = {(site.line.path, site.cls, site.test.split("[")[0]): site.line.line for site in ev.sites}
    failing = [(path, span) for path in ev.test_files for span in files[path].spans
               if any(t.matches(span.qualname) for t in ev.tests)]
    for path, span in failing[:MAX_TESTS]:
        first, last = definition_lines(files[path], span)
        owner = owner_class(span.qualname)
        line = failed_at.get((path, owner, span.name), failed_at.get((path, "", span.name), last))
        # a short test whole: its later lines say what else the fix must do
        cut = last if last - first + 1 <= MAX_TEST_LINES else min(last, line + AFTER_FAILED)
        body = numbered(files[path].lines[first - 1 : cut], first)
        if cut < last:
            body += f"\n       ... ({last - cut} more lines of the test)"
        blocks.append(f"## {path} :: {span.qualname} (failing)\n{body}")
    if len(failing) > MAX_TESTS:
        more = [span.qualname for _, span in failing[MAX_TESTS:]]
        names = ", ".join(more[:MAX_TESTS_NAMED]) + (", ..." if len(more) > MAX_TESTS_NAMED else "")
        blocks[-1] += f"\n\n({len(more)} more failing test{'s' * (len(more) > 1)} not shown: {names})"
    if ev.sites:
        # one site of those that fail on the same code the same way (a shared helper's `assert a == b`)
        firsts: dict[tuple[str, str, Frame | None], Site] = {}
        for site in ev.sites:
            firsts.setdefault((quoted(files, site.line), site.error, site.raised), site)
        distinct = list(firsts.values())
        sites = [render_site(files, site) for site in distinct[:MAX_SITES]]
        if (same := len(ev.sites) - len(distinct)) > 0:
            sites.append(f"(and {same} more failing the same way)")
        if ev.ran and ev.ran[0] in files:
            path, call = ev.ran
            name = span.qualname if (span := ran_span(files, ev.ran)) else call.name
            lines = files[path].lines
            rows = [(n, lines[n - 1].strip()) for n in sorted(set(call.lines))[-MAX_RAN_LINES:]
                    if 0 < n <= len(lines)]
            how = f"{call.outcome} after" if call.outcome else "ran"
            sites[0] += (f"\n  the last call before it failed, {name}({call.args}), {how} these of its lines:\n"
                         + "\n".join(f"  {row}" for row in numbered_rows(rows).split("\n")))
        blocks.append("## Errors\n" + "\n".join(sites))
    elif ev.errors:
        errors = list(dict.fromkeys(ev.errors))[:MAX_ERROR_LINES]
        blocks.append("## Errors\n" + "\n".join(errors))
    return blocks


def render_site(files: Mapping[str, SourceFile], site: Site) -> str:
    """`test, line N: `code`` then the error, and where the library raised it: the line a small model must fix."""
    out = [f"{site.test}, line {site.line.line}{quoted(files, site.line)}", f"  {site.error}"]
    if site.raised:
        out.append(f"  in {site.raised.path} line {site.raised.line}{quoted(files, site.raised)}")
    return "\n".join(out)


def quoted(files: Mapping[str, SourceFile], frame: Frame | None) -> str:
    """`: `the frame's line`` ("" when it cannot be read)."""
    lines = files[frame.path].lines if frame is not None and frame.path in files else []
    text = lines[frame.line - 1].strip() if frame is not None and 0 < frame.line <= len(lines) else ""
    return f": `{text}`" if text else ""


def likely(candidates: Sequence[Candidate], most: int = MAX_CANDIDATES) -> list[Candidate]:
    """The best ranked candidates (`rank`'s order) that score near the best one, at most `most`."""
    if not candidates:
        return []
    floor = KEEP_SHARE * candidates[0].score
    return [c for c in candidates[:most] if c.score >= floor]


def same_text(source: SourceFile, span: DefSpan) -> tuple[str, str]:
    """A definition's name and its code without indentation: equal for a copy of it in another module."""
    first, last = definition_lines(source, span)
    return span.qualname, "\n".join(line.strip() for line in source.lines[first - 1 : last])


def render_context(files: Mapping[str, SourceFile], candidates: Sequence[Candidate], ev: Evidence,
                   budget: int) -> str:
    """The failing tests (up to a share of `budget` tokens), then the best candidates that still fit, each shown
    once (a class too long to show whole as an outline; a copy of one shown in another module not again), a
    module's imports only with its first definition."""
    blocks = render_tests(files, ev)
    errors = [b for b in blocks[-1:] if b.startswith("## Errors")]  # kept before the tests' code: what failed
    tests: list[str] = []
    for block in blocks[: len(blocks) - len(errors)]:
        if estimate_tokens("\n\n".join([*tests, block, *errors])) <= budget * TEST_SHARE:
            tests.append(block)
    tests += errors
    code: list[str] = []
    shown: list[DefSpan] = []
    texts: set[tuple[str, str]] = set()
    for cand in candidates:
        span = cand.span
        if any(s.path == span.path and s.start <= span.start and span.end <= s.end for s in shown):
            continue  # already inside a definition shown
        if (text := same_text(files[span.path], span)) in texts:
            continue  # a copy of a definition shown (a vendored module)
        first_in_file = all(s.path != span.path for s in shown)
        source = files[span.path]
        if any(s.path == span.path and span.start < s.start and s.end <= span.end for s in shown):
            lines = ran_lines(ev, span.path)  # a class around a method shown above: the members that ran
            ran = [m for m in source.spans if span.start < m.start and m.end <= span.end and m not in shown
                   and any(m.start <= n <= m.end for n in lines)]
            blocks = [render_members(source, span, first_in_file, ran)]  # other members ranked show on their own
        else:
            blocks = [render_definition(source, span, first_in_file), render_outline(source, span, first_in_file)]
        for block in blocks:
            if block and estimate_tokens("\n\n".join([*tests, *code, block])) <= budget:
                code.append(block)
                shown.append(span)
                texts.add(text)
                break
    return "\n\n".join(tests + code)


def render_outline(source: SourceFile, span: DefSpan, with_imports: bool = True) -> str:
    """A definition that holds others (a class) as its header and the signature lines of what it holds."""
    inner = [d for d in source.tags.defs if span.start <= d.line < span.end and d.line + 1 != span.start]
    if not inner:
        return ""
    parts = [f"## {span.path} :: {span.qualname} (lines {span.start}-{span.end}, outline)"]
    if with_imports and (imports := import_lines(source)):
        parts += ["\n".join(imports), "..."]
    parts.append(header(source, span, min(d.line for d in inner)))
    parts += [f"{d.line + 1:>5}  {d.signature}" for d in sorted(inner, key=lambda d: d.line)]
    return "\n".join(parts)


def render_members(source: SourceFile, span: DefSpan, with_imports: bool, members: Sequence[DefSpan]) -> str:
    """A class shown after one of its methods: its header and the `members` the failing tests ran, in full, the
    rest left out ("" when none ran): shown only their signatures, a small model invents their bodies."""
    members = [m for m in members if not any(o.start < m.start and m.end <= o.end for o in members)]
    if not members:
        return ""
    parts = [f"## {span.path} :: {span.qualname} (lines {span.start}-{span.end}, the members the failing tests ran)"]
    if with_imports and (imports := import_lines(source)):
        parts += ["\n".join(imports), "..."]
    parts.append(header(source, span, min(m.start for m in members) - 1))
    for member in sorted(members, key=lambda m: m.start):
        parts += ["    ...", without_long_docstrings(source, *definition_lines(source, member))]
    return "\n".join([*parts, "    ..."])


def header(source: SourceFile, span: DefSpan, inner_row: int) -> str:
    """A class's first lines (at most 4, its decorators besides), up to the 0-based row of what it holds first."""
    first, _ = definition_lines(source, span)
    return numbered(source.lines[first - 1 : min(inner_row, span.start + 3)], first)


def ran_span(files: Mapping[str, SourceFile], ran: tuple[str, Call] | None) -> DefSpan | None:
    """The innermost definition holding all the lines the traced call ran."""
    if not ran or ran[0] not in files or not ran[1].lines:
        return None
    lines = ran[1].lines
    around = [s for s in files[ran[0]].spans if s.start <= min(lines) and max(lines) <= s.end]
    return max(around, key=lambda s: s.start) if around else None


def ran_lines(ev: Evidence, path: str) -> set[int]:
    """The lines of `path` the failing tests ran through: their tracebacks' frames and the traced call's lines."""
    lines = {f.line for f in ev.frames if f.path == path}
    if ev.ran and ev.ran[0] == path:
        lines.update(ev.ran[1].lines)
    return lines


def task_context(root: Path, task: str, check: str | None = None, check_output: str | None = None,
                 budget: int = 3000, candidates: int = MAX_CANDIDATES) -> str:
    """The localized view of a task: the failing tests and the definitions most likely to need the fix."""
    files = index_repository(root)
    if check_output is None:
        check_output = run_check(root, check) if check else ""
    ev = gather(files, task, check or "", check_output)
    return view_text(root, files, ev, budget, candidates) or ""


def view_text(root: Path, files: Mapping[str, SourceFile], ev: Evidence, budget: int,
              candidates: int = MAX_CANDIDATES, run: Runner | None = None) -> str | None:
    """The view of what `ev` says (None when nothing ranks): the best candidates, the failing call's lines traced in
    the first (the test run again by `run`), the method that ran ahead of its class."""
    ev.spectrum = suspicious(root, files, ev, run)
    shown = likely(rank(files, ev), candidates)
    if not shown:
        return None
    ev.ran = traced(root, [c.span for c in shown], ev, run)
    return render_context(files, ran_first(files, shown, ev.ran), ev, budget)


def ran_first(files: Mapping[str, SourceFile], shown: list[Candidate], ran: tuple[str, Call] | None
              ) -> list[Candidate]:
    """The candidates with the method the failing call ran put ahead of the class that holds it: the code that ran
    is what a small model must see, not the whole class."""
    if (inner := ran_span(files, ran)) is None:
        return shown
    path = inner.path
    rest = [c for c in shown if c.span != inner]
    for i, cand in enumerate(rest):
        if cand.span.path == path and cand.span.start < inner.start and inner.end <= cand.span.end:
            return [*rest[:i], Candidate(inner, cand.score, ("ran by the failing test",)), *rest[i:]]
    return shown
