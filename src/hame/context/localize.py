"""Rank the definitions a bug fix probably changes, before a model sees anything.

Signals, each adding to a definition's score (weights below, one line each on why):
- the failing check's tracebacks: the library frames they pass through, the innermost most;
- the failing tests: the words of their names, the names their code calls, the modules and names their file imports;
- the bug report: identifiers it names (a definition's name or qualified name, a module's stem), and ripgrep hits of
  its code-like words inside a definition;
- the words of all of these against each definition's text (BM25), and the repo map's PageRank as a tie-breaker.
Test files hold no candidates. `rank` is pure over an indexed repository; `localize` does the I/O.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hame.context import localize_signals as sig
from hame.context.defindex import DefSpan, SourceFile, index_repository, innermost
from hame.context.ranking import rank_repository

from .testfiles import TEST_NAME

if TYPE_CHECKING:
    from hame.context.trace_path import Call

W_INNERMOST_FRAME = 8.0  # where the exception was raised: most often the code to fix
W_FRAME = 4.0  # a library frame further out: the call path to it
W_NAMED = 6.0  # the report names the definition (`singularize()`, `Table.to_text`)
W_NAMED_CLASS_MEMBER = 1.0  # the report names the class a method belongs to
W_MODULE_NAMED = 1.5  # the report names the module (`fix(strutils): ...`)
W_TEST_NAME = 4.0  # the failing test's name spells the definition's name (`test_partition_all`)
W_TEST_CALLS = 2.5  # the failing test's code calls it (a class call means its constructor)
W_TEST_IMPORTS = 2.0  # the failing test's file imports it by name
W_TEST_MODULE = 1.0  # ... or imports its module
W_GREP = 3.0  # a rare word of the report occurs in the definition's body (`issupserset`)
W_TEXT = 2.0  # BM25 of all the words above against the definition's text, scaled to the best
W_MAP = 1.0  # the repo map's PageRank of the definition, scaled to the best
W_SPECTRUM = 4.0  # every failing test ran it and few passing ones did (context/spectrum.py), scaled to the best
BM25_K1, BM25_B = 1.2, 0.75
CHECK_TIMEOUT_S = 120
Runner = Callable[[str, float], str]  # (shell command, timeout s) -> its output; runs in the workspace
MAX_TEST_WORDS = 200
MAX_USING = 3  # tests shown for a name the test file could not import
GREP_MAX_DEFS = 5  # a report word in more definitions' bodies than this is too common to point
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
Adder = Callable[[DefSpan, float, str], None]


@dataclass(frozen=True)
class Candidate:
    span: DefSpan
    score: float
    reasons: tuple[str, ...]


@dataclass
class Evidence:
    """What the task and the failing check say; built by `gather`, read by `rank`."""

    check: str = ""  # the command that ran the tests
    report_words: list[str] = field(default_factory=list)
    frames: list[sig.Frame] = field(default_factory=list)
    innermost: set[sig.Frame] = field(default_factory=set)
    tests: list[sig.TestId] = field(default_factory=list)
    test_files: list[str] = field(default_factory=list)
    test_calls: list[str] = field(default_factory=list)
    test_imports: list[tuple[str, str | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    ran: tuple[str, Call] | None = None  # (path, call): the first failing test's last call of the best candidate
    spectrum: dict[DefSpan, float] = field(default_factory=dict)  # Ochiai scores (context/spectrum.py)


@dataclass(frozen=True)
class Site:
    """Where one failing test failed: its line that failed, the innermost library line under it (None when the
    test's own line failed, an assertion), and pytest's first error line."""

    test: str
    line: sig.Frame
    raised: sig.Frame | None
    error: str
    cls: str = ""  # the test's class, when it is a method
    calls: tuple[sig.Frame, ...] = ()  # the library frames between the test and `raised`, outermost first


def localize(root: Path, task: str, check: str | None = None, check_output: str | None = None,
             files: Mapping[str, SourceFile] | None = None) -> list[Candidate]:
    """Candidates best first. Runs `check` (unless its output is given) to read the failing tests."""
    from hame.context.spectrum import suspicious  # it reads this module's Evidence

    if check_output is None and check:
        check_output = run_check(root, check)
    indexed = dict(files) if files is not None else index_repository(root)
    ev = gather(indexed, task, check or "", check_output or "")
    ev.spectrum = suspicious(root, indexed, ev)
    return rank(indexed, ev)


def local_runner(root: Path) -> Runner:
    """Runs commands in `root` as they are, with no sandbox: for code no model has written (scripts, tests)."""
    def run(command: str, timeout: float) -> str:
        try:
            proc = subprocess.run(command, shell=True, cwd=root, capture_output=True, text=True, errors="replace",
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            return f"{exc.stdout or ''}{exc.stderr or ''}"
        return proc.stdout + proc.stderr
    return run


def run_check(root: Path, command: str, timeout: int = CHECK_TIMEOUT_S, run: Runner | None = None) -> str:
    """The check's stdout and stderr together; what it printed so far when it times out."""
    return (run or local_runner(root))(command, timeout)


def gather(files: Mapping[str, SourceFile], task: str, check: str, output: str) -> Evidence:
    ev = Evidence(check=check, report_words=sig.identifiers(task), errors=sig.error_lines(output))
    ev.frames = [f for f in (resolve_frame(files, fr) for fr in sig.traceback_frames(output)) if f]
    ev.innermost = innermost_library_frames(files, output)
    ev.sites = failure_sites(files, output)
    ev.tests = sig.test_ids(output) + sig.test_ids(task)
    ev.test_files = test_files(files, ev.tests, check, task)
    if not ev.tests and (missing := sig.missing_names(output)):  # the test file did not import: no test ran
        ev.tests = tests_using(files, ev.test_files, missing)
    for path in ev.test_files:
        ev.test_imports += sig.python_imports(files[path].text)
        for test in ev.tests:
            for span in files[path].spans:
                if test.matches(span.qualname):
                    body = "\n".join(files[path].lines[span.start - 1 : span.end])
                    ev.test_calls += sig.identifiers(body)[:MAX_TEST_WORDS]
    return ev


def tests_using(files: Mapping[str, SourceFile], paths: Sequence[str], names: Sequence[str]) -> list[sig.TestId]:
    """The test functions of `paths` whose code uses one of `names`, at most MAX_USING: the tests a name that does
    not exist yet kept from running (a fix that adds API comes with tests that fail to import it)."""
    found = [sig.TestId(path, span.name, sig.owner_class(span.qualname))
             for path in paths for span in files[path].spans
             if span.name.startswith("test") and set(names) & set(WORD.findall(
                 "\n".join(files[path].lines[span.start - 1 : span.end])))]
    return found[:MAX_USING]


def resolve_frame(files: Mapping[str, SourceFile], frame: sig.Frame) -> sig.Frame | None:
    """The frame with its path made relative to the workspace (tracebacks may print absolute paths)."""
    path = frame.path.replace("\\", "/")
    if path in files:
        return frame
    tails = [p for p in files if path.endswith("/" + p)]
    return sig.Frame(max(tails, key=len), frame.line) if tails else None


def failure_sites(files: Mapping[str, SourceFile], output: str) -> list[Site]:
    """Each failing test's site, from pytest's report (a section under `____ test_name ____` per failure) or
    unittest's (`FAIL: test_name (module.Class)`)."""
    sites = []
    for name, section in re.findall(r"^_{3,} (\S.*?) _{3,}\n(.*?)(?=^_{3,} |^={3,}|\Z)", output, re.M | re.S):
        frames = [f for f in (resolve_frame(files, fr) for fr in sig.traceback_frames(section)) if f]
        tests = [f for f in frames if TEST_NAME.search(f.path)]
        errors = sig.error_lines(section)
        if tests and errors:  # the test's own line is the first frame; the library's innermost line raised
            raised = next((f for f in reversed(frames) if not TEST_NAME.search(f.path)), None)
            test = name.removeprefix("ERROR ") if name.startswith("ERROR collecting") else name.split(".")[-1]
            cls = "" if name.startswith("ERROR") else sig.owner_class(name.split("[")[0])
            sites.append(Site(test, tests[0], raised, errors[0], cls, library_calls(frames, raised)))
    for name, _, cls, body in sig.unittest_sections(output):  # `python -m unittest`: the same, from its tracebacks
        frames = [f for f in (resolve_frame(files, fr) for fr in sig.traceback_frames(body)) if f]
        tests = [f for f in frames if TEST_NAME.search(f.path)]
        if tests and (error := sig.exception_line(body)):
            raised = next((f for f in reversed(frames) if not TEST_NAME.search(f.path)), None)
            sites.append(Site(name, tests[0], raised, error, cls, library_calls(frames, raised)))
    return sites


def library_calls(frames: Sequence[sig.Frame], raised: sig.Frame | None) -> tuple[sig.Frame, ...]:
    """The library frames a failure passed through on its way to `raised` (the calls that led there)."""
    lib = [f for f in frames if not TEST_NAME.search(f.path)]
    return tuple(lib[:-1] if lib and lib[-1] == raised else lib)


def innermost_library_frames(files: Mapping[str, SourceFile], output: str) -> set[sig.Frame]:
    """The last non-test frame before each traceback's error line: where each exception was raised."""
    found: set[sig.Frame] = set()
    last: sig.Frame | None = None
    for raw in sig.traceback_frames(output):
        frame = resolve_frame(files, raw)
        if frame is None:
            continue
        if TEST_NAME.search(frame.path):
            if last is not None:
                found.add(last)
            last = None
        else:
            last = frame
    if last is not None:
        found.add(last)
    return found


def test_files(files: Mapping[str, SourceFile], tests: Sequence[sig.TestId], check: str, task: str) -> list[str]:
    """Test files the failing tests live in, or that the check command or the task names."""
    named = [t.path for t in tests] + check.split() + [w for w in task.split()]
    out: dict[str, None] = {}
    for word in named:
        word = word.strip("`'\",;:()").split("::")[0]
        for candidate in (word, word.replace(".", "/") + ".py"):
            out.update(dict.fromkeys(p for p in files if TEST_NAME.search(p) and path_matches(p, candidate)))
    return list(out)


def path_matches(path: str, written: str) -> bool:
    return bool(written) and (path == written or path.endswith("/" + written))


def rank(files: Mapping[str, SourceFile], ev: Evidence) -> list[Candidate]:
    """Every definition outside test files, scored by the evidence; best first, ties by path and line."""
    pool = [s for path, f in files.items() if not TEST_NAME.search(path) and not stub_of_module(files, path)
            for s in f.spans]
    scores: dict[DefSpan, float] = defaultdict(float)
    reasons: dict[DefSpan, list[str]] = defaultdict(list)

    def add(span: DefSpan, weight: float, reason: str) -> None:
        scores[span] += weight
        if reason not in reasons[span]:
            reasons[span].append(reason)

    score_frames(files, ev, add)
    score_names(pool, ev, add)
    score_grep(files, pool, ev, add)
    for span, value in scaled(text_scores(files, pool, query_words(ev))).items():
        add(span, W_TEXT * value, "text")
    for span, value in scaled(map_scores(files, pool, ev)).items():
        add(span, W_MAP * value, "map")
    for span, value in scaled(ev.spectrum).items():
        add(span, W_SPECTRUM * value ** 2, "the failing tests ran it")
    ranked = [Candidate(s, scores.get(s, 0.0), tuple(reasons.get(s, ()))) for s in pool]
    ranked.sort(key=lambda c: (-c.score, c.span.path, c.span.start))
    return ranked


def stub_of_module(files: Mapping[str, SourceFile], path: str) -> bool:
    """A type stub (`mod.pyi`) beside its module: it holds signatures, never the behaviour a fix changes."""
    return path.endswith(".pyi") and path[:-1] in files


def score_frames(files: Mapping[str, SourceFile], ev: Evidence, add: Adder) -> None:
    for frame in ev.frames:
        if TEST_NAME.search(frame.path) or frame.path not in files:
            continue
        span = innermost(files[frame.path].spans, frame.line)
        if span is not None:
            inner = frame in ev.innermost
            add(span, W_INNERMOST_FRAME if inner else W_FRAME, "raised here" if inner else "in traceback")


def score_names(pool: Sequence[DefSpan], ev: Evidence, add: Adder) -> None:
    report = set(ev.report_words)
    report_lower = {w.lower() for w in report}
    test_words = Counter(w for t in ev.tests for w in sig.split_words(t.name) if w != "test")
    calls = set(ev.test_calls)
    imported = {name for _mod, name in ev.test_imports if name}
    modules = {m for m, _ in ev.test_imports} | {f"{m}.{n}" for m, n in ev.test_imports if n}
    for span in pool:
        owner = span.qualname.rsplit(".", 1)[0] if "." in span.qualname else ""
        if "." in span.qualname and span.qualname in report:
            add(span, W_NAMED, "named in the report")
        elif span.name in report and len(span.name) > 2:
            add(span, W_NAMED * specificity(span.name), "named in the report")
        elif owner and owner in report:
            add(span, W_NAMED_CLASS_MEMBER, "its class is named in the report")
        if module_stem(span.path).lower() in report_lower:
            add(span, W_MODULE_NAMED, "module named in the report")
        words = [w for w in sig.split_words(span.name) if w]
        if words and test_words and all(w in test_words for w in words):
            add(span, W_TEST_NAME * specificity(span.name), "the failing test's name")
        if span.name in calls or (span.name in ("__init__", "__new__") and owner.rsplit(".", 1)[-1] in calls):
            add(span, W_TEST_CALLS, "the failing test calls it")
        if span.name in imported or owner in imported:
            add(span, W_TEST_IMPORTS, "the test file imports it")
        if any(module_of(span.path) == m for m in modules):
            add(span, W_TEST_MODULE, "the test file imports its module")


def specificity(name: str) -> float:
    """A long or code-like name means one definition; a short common word (`copy`, `get`) says less."""
    core = name.strip("_")
    return 1.0 if sig.is_code_like(name) or len(core) >= 8 else 0.5 if len(core) >= 4 else 0.25


def module_stem(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].split(".", 1)[0]
    return path.rsplit("/", 2)[-2] if stem == "__init__" and "/" in path else stem


def module_of(path: str) -> str:
    """The dotted module a Python path is imported as (`pkg/mod.py` -> `pkg.mod`)."""
    base = path.rsplit(".", 1)[0].removesuffix("/__init__")
    return base.replace("/", ".")


def score_grep(files: Mapping[str, SourceFile], pool: Sequence[DefSpan], ev: Evidence, add: Adder) -> None:
    """Rare words of the report found in a definition's body (e.g. a misspelt call the report names): a word used
    in a few definitions points at them; one used everywhere says nothing."""
    words = {w for w in ev.report_words if len(w) >= 4 and "." not in w and w.lower() not in sig.STOPWORDS}
    if not words:
        return
    bodies = {s: set(WORD.findall("\n".join(files[s.path].lines[s.start : s.end]))) & words for s in pool}
    df = Counter(w for found in bodies.values() for w in found)
    for span, found in bodies.items():
        rare = [w for w in found if df[w] <= GREP_MAX_DEFS and w != span.name]
        if rare:
            add(span, min(W_GREP, W_GREP * sum(1 / df[w] for w in rare)), "the report's words in its body")


def query_words(ev: Evidence) -> Counter[str]:
    words = Counter(w for t in ev.report_words for w in sig.split_words(t))
    words.update(w for t in ev.tests for w in sig.split_words(t.name) if w != "test")
    words.update(w for t in ev.test_calls for w in sig.split_words(t))
    words.update(w for line in ev.errors for t in sig.identifiers(line) for w in sig.split_words(t))
    return Counter({w: 1 + math.log(c) for w, c in words.items() if len(w) > 1 and w not in sig.STOPWORDS})


def text_scores(files: Mapping[str, SourceFile], pool: Sequence[DefSpan], query: Counter[str]
                ) -> dict[DefSpan, float]:
    """BM25 of the query words against each definition's own lines (a class: its header and body before methods)."""
    docs = {s: Counter(w for t in sig.identifiers(own_text(files[s.path], s)) for w in sig.split_words(t))
            for s in pool}
    if not docs or not query:
        return {}
    avg = sum(sum(d.values()) for d in docs.values()) / len(docs) or 1.0
    df = Counter(w for d in docs.values() for w in d.keys() & query.keys())
    out = {}
    for span, doc in docs.items():
        size = sum(doc.values())
        value = 0.0
        for word, weight in query.items():
            tf = doc.get(word, 0)
            if tf:
                idf = math.log(1 + (len(docs) - df[word] + 0.5) / (df[word] + 0.5))
                value += weight * idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * size / avg))
        if value:
            out[span] = value
    return out


def own_text(source: SourceFile, span: DefSpan) -> str:
    """A definition's lines, minus those of the definitions nested in it."""
    inner = [s for s in source.spans if s.start > span.start and s.end <= span.end]
    lines = source.lines[span.start - 1 : span.end]
    skip = {n for s in inner for n in range(s.start, s.end + 1)}
    return "\n".join(line for n, line in enumerate(lines, span.start) if n not in skip)


def map_scores(files: Mapping[str, SourceFile], pool: Sequence[DefSpan], ev: Evidence) -> dict[DefSpan, float]:
    """The repo map's ranking (PageRank over references), focused on the failing tests' files and words."""
    tags = {p: f.tags for p, f in files.items()}
    ranking = rank_repository(tags, ev.test_files, sorted(set(ev.report_words) | set(ev.test_calls)))
    by_def = {(r.path, r.definition.line + 1, r.definition.name): r.score for r in ranking.defs}
    return {s: by_def[(s.path, s.start, s.name)] for s in pool if (s.path, s.start, s.name) in by_def}


def scaled(values: Mapping[DefSpan, float]) -> dict[DefSpan, float]:
    best = max(values.values(), default=0.0)
    return {k: v / best for k, v in values.items()} if best > 0 else {}

