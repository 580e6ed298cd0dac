"""A failing test told as one concrete line — what was called, what it gave, what the test expects:

    rebase(2, [1, 0, 1], 10) returned [1, 0, 1]; the test expects [5]

A small model acts on one short, concrete failure better than on a traceback. The failing statement is read from
the test file (pytest names its line), the value the code gave from pytest's `E` lines. Anything this cannot read
for certain gives None, and the caller shows pytest's own lines instead."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

LOCATION = re.compile(r"^([^\s:]+\.py):(\d+):")
EQUAL = frozenset({"assertEqual", "assertEquals", "assertListEqual", "assertTupleEqual", "assertDictEqual",
                   "assertSetEqual", "assertCountEqual", "assertMultiLineEqual", "assertSequenceEqual",
                   "assertAlmostEqual", "assertIs"})
TRUTH = {"assertTrue": "a true value", "assertFalse": "a false value", "assertIsNone": "None",
         "assertIsNotNone": "a value other than None"}
RAISES = frozenset({"assertRaises", "assertRaisesRegex", "raises"})
DIFFER = re.compile(r"^(?:\w+ differ|Items in the \w+ \w+ but not the \w+): ")
MAX_VALUE = 200  # characters of a value quoted; a longer one is clipped


def explain(raw: list[str], workspace: Path) -> str | None:
    """The concrete line for one failing test, from its raw pytest section (`raw`), or None."""
    entries = [(m.group(1), int(m.group(2))) for line in raw
               if (m := LOCATION.match(line)) and not line.startswith("/")]  # the workspace's frames
    errors = [line[1:].strip() for line in raw if line.startswith("E ")]
    if not entries or not errors:
        return None
    test_file, line = entries[0]
    found = _statement(workspace, test_file, line)
    if found is None:
        return None
    stmt, source, func = found
    if len(entries) > 1:  # the test called code that raised
        where_file, where_line = entries[-1]
        if where_file == test_file:  # a helper of the test failed: pytest's lines tell it better
            return None
        subject = _subject(stmt, source) or _clip(ast.get_source_segment(source, stmt) or "")
        code = _line(workspace, where_file, where_line)
        at = f" at {where_file}:{where_line}" + (f": `{code}`" if code else "")
        raised = _enclosing_raises(func, line)
        wanted = f"; the test expects {raised}" if raised else ""
        return f"{subject} raised {_clip(_exception(errors))}{at}{wanted}" if subject else None
    return _assertion(stmt, source, func, line, errors)


def _assertion(stmt: ast.stmt, source: str, func: ast.AST, line: int, errors: list[str]) -> str | None:
    first = errors[0]
    call = stmt.value if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) else None
    name = _method(call) if call else ""
    if isinstance(stmt, ast.With):
        raised = _raised(stmt)
        body = stmt.body[0] if stmt.body else None
        if raised and body is not None and ("not raised" in first or "DID NOT RAISE" in first):
            return f"{_clip(_src(source, body))} did not raise {raised}"
        return None
    if name in EQUAL and call is not None and len(call.args) >= 2:
        subject, wanted = call.args[0], call.args[1]
        swapped = _literal(subject) and not _literal(wanted)  # assertEqual(expected, actual)
        if swapped:
            subject, wanted = wanted, subject
        got, expected = _got(first, second=swapped), _src(source, wanted)
        message = _message_subject(subject, source, func, line)
        if not got:
            return None
        if message:
            return f"{message[0]} raised {message[1]}({got}); the test expects the message {expected}"
        return f"{_clip(_src(source, subject))} {_verb(subject)} {_clip(got)}; the test expects {_clip(expected)}"
    if name in TRUTH and call is not None and call.args:
        got = first.split(" is not ", 1)[0].removeprefix("AssertionError: ") if " is not " in first else ""
        shown = f" returned {_clip(got)}" if got else " did not"
        return f"{_clip(_src(source, call.args[0]))}{shown}; the test expects {TRUTH[name]}"
    if name == "assertIn" and call is not None and len(call.args) >= 2:
        m = re.match(r"(?:AssertionError: )?(.*) not found in ", first)
        got = f" returned {_clip(m.group(1))}, which is" if m else " is"
        return f"{_clip(_src(source, call.args[0]))}{got} not in {_clip(_src(source, call.args[1]))}"
    if isinstance(stmt, ast.Assert):
        return _plain_assert(stmt, source, first)
    return None


def _plain_assert(stmt: ast.Assert, source: str, first: str) -> str | None:
    """pytest's `assert f(x) == y`: pytest prints `assert <got> == <expected value>`."""
    test = stmt.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        m = re.match(r"(?:AssertionError: )?assert (.*) == ", first)
        if not m:
            return None
        return (f"{_clip(_src(source, test.left))} {_verb(test.left)} {_clip(m.group(1))}; the test expects "
                f"{_clip(_src(source, test.comparators[0]))}")
    if isinstance(test, ast.Call):
        m = re.match(r"(?:AssertionError: )?assert (.*)$", first)
        got = f" returned {_clip(m.group(1))}" if m else " did not"
        return f"{_clip(_src(source, test))}{got}; the test expects a true value"
    return None


def _message_subject(subject: ast.expr, source: str, func: ast.AST, line: int) -> tuple[str, str] | None:
    """(the call, the exception type) when `subject` is the message of an exception a `with assertRaises` block
    before `line` caught (`err.exception.args[0]`, `str(err.value)`), else None."""
    text = _src(source, subject)
    if ".exception" not in text and ".value" not in text:
        return None
    blocks = [n for n in ast.walk(func) if isinstance(n, ast.With) and n.lineno < line and _raised(n) and n.body]
    if not blocks:
        return None
    block = max(blocks, key=lambda n: n.lineno)
    return _clip(_src(source, block.body[0])), _raised(block) or "an exception"


def _subject(stmt: ast.stmt, source: str) -> str | None:
    """What a statement that raised called: an assertion's first argument, or the call itself."""
    call = stmt.value if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) else None
    if call is not None and _method(call).startswith("assert") and call.args:
        return _clip(_src(source, call.args[0]))
    if isinstance(stmt, ast.Assert):
        test = stmt.test
        return _clip(_src(source, test.left if isinstance(test, ast.Compare) else test))
    if isinstance(stmt, ast.With) and stmt.body:
        return _clip(_src(source, stmt.body[0]))
    if isinstance(stmt, ast.Expr | ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Return):
        value = stmt.value
        return _clip(_src(source, value)) if value is not None else None
    return None


def _enclosing_raises(func: ast.AST, line: int) -> str | None:
    """The exception a `with assertRaises(E)` block around `line` expects, or None."""
    for node in ast.walk(func):
        if isinstance(node, ast.With) and node.lineno < line <= (node.end_lineno or 0) and _raised(node):
            return _raised(node)
    return None


def _raised(node: ast.With) -> str | None:
    """The exception type a `with self.assertRaises(E)` / `with pytest.raises(E)` block expects."""
    for item in node.items:
        call = item.context_expr
        if isinstance(call, ast.Call) and _method(call) in RAISES and call.args:
            return ast.unparse(call.args[0])
    return None


def _got(first: str, second: bool = False) -> str:
    """The value the code gave, from unittest's `X != Y` line (`second`: the test put the actual value second)."""
    text = DIFFER.sub("", first.removeprefix("AssertionError: "))
    parts = text.split(" != ")
    got = parts[second] if len(parts) == 2 else ""
    return got if "[...]" not in got else ""


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _exception(errors: list[str]) -> str:
    """`IndexError: list index out of range`: the last `E` line naming an exception."""
    named = [e for e in errors if re.match(r"^[\w.]+(Error|Exception|Exit|Interrupt|Warning)\b", e)]
    return (named or errors)[-1]


def _verb(subject: ast.expr) -> str:
    """`f(x) returned 3`, but `x is 3`."""
    return "returned" if isinstance(subject, ast.Call) else "is"


def _method(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _src(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    return " ".join(part.strip() for part in text.splitlines()).replace("( ", "(").replace(" )", ")")


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 5] + " ...]"


def _statement(workspace: Path, rel: str, line: int) -> tuple[ast.stmt, str, ast.AST] | None:
    """The innermost statement starting at `line` of a test file, its source and its function."""
    path = (workspace / rel).resolve()
    if not path.is_relative_to(workspace.resolve()):
        return None
    try:
        parsed = _parse(str(path), path.stat().st_mtime_ns)
    except OSError:
        return None
    if parsed is None:
        return None
    tree, source = parsed
    best: tuple[ast.stmt, ast.AST] | None = None
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.stmt) and node is not func and node.lineno == line:
                    best = (node, func)
    return (best[0], source, best[1]) if best else None


def _line(workspace: Path, rel: str, line: int) -> str:
    if not (workspace / rel).resolve().is_relative_to(workspace.resolve()):
        return ""
    try:
        lines = (workspace / rel).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return _clip(lines[line - 1].strip()) if 0 < line <= len(lines) else ""


@lru_cache(maxsize=8)
def _parse(path: str, mtime_ns: int) -> tuple[ast.Module, str] | None:
    try:
        source = Path(path).read_text(encoding="utf-8")
        return ast.parse(source), source
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
