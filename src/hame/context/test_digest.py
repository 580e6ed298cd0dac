"""A large test file abridged for the first request: everything that is not a test (imports, helpers, the class
line, setUp, constants) and a few whole tests chosen to show each called name, exception type, expected string
and input word once, then one line saying what was left out and how to see it. Pure functions over strings."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

ABRIDGE_OVER = 5000  # characters: a named test file longer than this is attached abridged (bench/RESULTS.md)
TESTS_BUDGET = 2500  # characters of whole tests kept in an abridged test file
MAX_NAMES = 8  # names of left-out tests listed in the note
WORD = re.compile(r"[a-z]{3,}")
ASSERT_EXPECTED = re.compile(r"^assert\w*(Equal|Equals|In|Regex)$")  # unittest asserts: later arguments expected
HOW_READ = "read_file shows them if you need them."
HOW_REPORT = "The test report after each change names those that fail."
HOW_NONE = "They test the same code in more cases."


@dataclass(frozen=True)
class TestSpan:
    name: str
    first: int  # 1-based first line (its first decorator)
    last: int  # 1-based last line
    size: int  # characters
    features: frozenset[str]


def abridge(rel: str, text: str, how: str = HOW_READ + " " + HOW_REPORT, budget: int = TESTS_BUDGET) -> str:
    """`text` of the test file `rel` with the tests that show nothing new left out and one line naming them."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return _head(rel, text, how, budget)
    lines = text.splitlines()
    tests = _tests(tree, lines)
    if not tests:
        return _head(rel, text, how, budget)
    kept = _representative(tests, budget)
    drop = _boilerplate(tree, lines) | {n for t in tests if t not in kept for n in range(t.first, t.last + 1)}
    body = _squeeze([line for n, line in enumerate(lines, 1) if n not in drop])
    left = [t.name for t in tests if t not in kept]
    return body + "\n\n" + _note(rel, left, len(tests), how) + "\n"


def _tests(tree: ast.Module, lines: list[str]) -> list[TestSpan]:
    """The test functions and methods (`test*`), in file order, each with what it shows."""
    found = []
    for node in tree.body:
        holders = node.body if isinstance(node, ast.ClassDef) else [node]
        for fn in holders:
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and fn.name.startswith("test"):
                first = min([fn.lineno, *(d.lineno for d in fn.decorator_list)])
                last = fn.end_lineno or fn.lineno
                size = sum(len(line) + 1 for line in lines[first - 1 : last])
                found.append(TestSpan(fn.name, first, last, size, _features(fn)))
    return found


def _features(fn: ast.AST) -> frozenset[str]:
    """What a test shows: the names it calls, the exceptions it names, the strings it expects, its input words."""
    found: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name and not name.startswith("assert"):
                found.add("call:" + name)
            elif name:
                found.add("check:" + name)  # a value compared and an exception expected are different lessons
            if ASSERT_EXPECTED.match(name):
                found.update("expect:" + s for a in node.args[1:] for s in _strings(a))
        elif isinstance(node, ast.Name) and node.id.endswith(("Error", "Exception", "Warning")):
            found.add("raise:" + node.id)
        elif isinstance(node, ast.Compare):
            found.add("check:compare")
            found.update("expect:" + s for c in node.comparators for s in _strings(c))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.update("word:" + w for w in WORD.findall(node.value.lower()))
    return frozenset(found)


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _representative(tests: list[TestSpan], budget: int) -> set[TestSpan]:
    """Shortest first, each test that shows something not yet shown, while they fit `budget` characters; then
    the others in file order (the simple cases come first there) while they fit."""
    kept: set[TestSpan] = set()
    shown: set[str] = set()
    used = 0
    for test in sorted(tests, key=lambda t: t.size):
        if used + test.size > budget:
            break
        if test.features - shown:
            kept.add(test)
            shown |= test.features
            used += test.size
    for test in tests:
        if test not in kept and used + test.size <= budget:
            kept.add(test)
            used += test.size
    return kept


def _boilerplate(tree: ast.Module, lines: list[str]) -> set[int]:
    """The lines of the header comments and the module's and classes' docstrings."""
    drop: set[int] = set()
    for n, line in enumerate(lines, 1):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        drop.add(n)
    for node in [tree, *(n for n in tree.body if isinstance(n, ast.ClassDef))]:
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            drop.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    return drop


def _squeeze(lines: list[str]) -> str:
    """The kept lines with runs of blank lines shortened: two at most, one before an indented line."""
    out: list[str] = []
    blanks = 0
    for line in lines:
        if not line.strip():
            blanks += 1
            continue
        if out and not out[-1].endswith(":"):
            out += [""] * min(blanks, 1 if line.startswith((" ", "\t")) else 2)
        out.append(line)
        blanks = 0
    return "\n".join(out)


def _note(rel: str, left: list[str], total: int, how: str) -> str:
    if not left:
        return f"# hame: all {total} tests of {rel} are shown."
    names = ", ".join(left[:MAX_NAMES]) + (f" and {len(left) - MAX_NAMES} more" if len(left) > MAX_NAMES else "")
    return f"# hame left out {len(left)} of the {total} tests of {rel} to keep this short: {names}. {how}"


def _head(rel: str, text: str, how: str, budget: int) -> str:
    """A file that does not parse (or holds no test function): its first lines within `budget`."""
    lines, used = [], 0
    for line in text.splitlines():
        if used + len(line) + 1 > budget:
            break
        lines.append(line)
        used += len(line) + 1
    rest = text.count("\n") + (not text.endswith("\n")) - len(lines)
    return "\n".join(lines) + f"\n\n# hame left out the last {rest} lines of {rel} to keep this short. {how}\n"
