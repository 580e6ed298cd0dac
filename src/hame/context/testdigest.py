"""The exception messages a task's tests expect, read from the test files' syntax trees.

Small models read a test file and still raise `ValueError("invalid")` where the tests compare the text with
`"Record id is invalid or out of order."`. Listed beside the task, next to where the model starts writing, the
messages are copied exactly. Recognised forms: unittest's `with self.assertRaises(E) as err:` followed by a
comparison with `err.exception.args[0]` or `str(err.exception)`, `self.assertRaisesRegex(E, "text")`, and
`pytest.raises(E, match="text")`."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

MAX_ITEMS = 12


def expected_errors(source: str) -> list[tuple[str, str, str]]:
    """(exception, message, function called) for each distinct expected error in a test module, in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: dict[tuple[str, str], list[str]] = {}
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for i, stmt in enumerate(body):
            if not isinstance(stmt, ast.With):
                continue
            for item in stmt.items:
                got = _raises(item, body[i:])
                if got:
                    exc, message = got
                    calls = found.setdefault((exc, message), [])
                    called = _called(stmt.body)
                    if called and called not in calls:
                        calls.append(called)
    return [(exc, msg, ", ".join(calls)) for (exc, msg), calls in found.items()]


def digest(tests: Mapping[str, str]) -> str:
    """A short section for the task message, or "" when the tests check no exception message."""
    items: list[tuple[str, str, str]] = []
    for name, source in tests.items():
        if name.endswith(".py"):
            items += [e for e in expected_errors(source) if e not in items]
    if not items:
        return ""
    lines = ["# Error messages the tests expect",
             "The tests compare the message text, so raise each of these with exactly this message:"]
    for exc, message, called in items[:MAX_ITEMS]:
        where = f" (from {called})" if called else ""
        lines.append(f"- raise {exc}({message!r}){where}")
    if len(items) > MAX_ITEMS:
        lines.append(f"- … and {len(items) - MAX_ITEMS} more in the tests")
    return "\n".join(lines)


def _raises(item: ast.withitem, rest: list[ast.stmt]) -> tuple[str, str] | None:
    call = item.context_expr
    if not isinstance(call, ast.Call) or not call.args:
        return None
    name = _name(call.func)
    exc = _name(call.args[0])
    if not exc:
        return None
    if name == "assertRaisesRegex" and len(call.args) > 1:
        return _pattern(exc, call.args[1])
    if name == "raises":  # pytest.raises(E, match=...)
        match = next((k.value for k in call.keywords if k.arg == "match"), None)
        return _pattern(exc, match) if match is not None else None
    if name != "assertRaises" or not isinstance(item.optional_vars, ast.Name):
        return None
    names = {item.optional_vars.id}
    for stmt in rest[1:6]:  # the comparison follows the `with` block, maybe through a variable
        if isinstance(stmt, ast.Assign) and _mentions(stmt.value, names):
            names |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and _name(node.func) == "assertEqual" and len(node.args) == 2:
                a, b = node.args
                for value, other in ((a, b), (b, a)):
                    if _mentions(other, names) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                        return exc, value.value
    return None


def _pattern(exc: str, node: ast.expr | None) -> tuple[str, str] | None:
    """A regex that is plain text (apart from escapes) becomes the message; a real pattern is skipped."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return None
    text = re.sub(r"\\(.)", r"\1", node.value)
    if re.search(r"[\[\]*+?{}|^$]", re.sub(r"\\.", "", node.value)):
        return None
    return exc, text


def _mentions(node: ast.expr, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _called(body: list[ast.stmt]) -> str:
    """The outermost call inside the `with` block: the function under test."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                return _name(node.func)
    return ""


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
