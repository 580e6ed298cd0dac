"""One-line explanations of common Python errors in a failing check's report, for a weak model.

Shown a failure, a small model often writes a new version with the same mistake (it never handles
`5 + Number(1, 2)` although the report says `unsupported operand type(s) for +: 'int' and 'Number'`); a line that
says what Python does there (calls the reflected `__radd__`) brings its next version closer (evidence:
docs/tactics.md, error_hints). The rules are about Python, never about a task: each reads an error line pytest
prints and says what usually causes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

REFLECTED = {"+": "__radd__", "-": "__rsub__", "*": "__rmul__", "/": "__rtruediv__", "//": "__rfloordiv__",
             "%": "__rmod__", "** or pow()": "__rpow__", "@": "__rmatmul__"}
NUMBER = r"(?:int|float)"
BUILTIN = frozenset({"int", "float", "complex", "str", "list", "dict", "tuple", "set", "frozenset", "bool", "bytes",
                     "bytearray", "range", "object", "NoneType", "function", "method", "builtin_function_or_method",
                     "module", "type", "generator", "map", "filter", "zip", "enumerate"})  # not the model's class

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]]


def _shown(op: str) -> str:
    """The operator as code writes it (Python's message says `** or pow()`)."""
    return "**" if op == "** or pow()" else op


def _number_left(m: re.Match[str]) -> str:
    op, cls = m.group(1), m.group(2)
    method = REFLECTED.get(op, "the reflected method")
    shown = _shown(op)
    return (f"`5 {shown} {cls}(...)`, with a plain number on the left, makes Python call the reflected method "
            f"{cls}.{method}(self, other): define it, and let the operators accept an int or a float as `other`.")


def _number_right(m: re.Match[str]) -> str:
    cls = m.group(2)
    return (f"`{cls}(...) {_shown(m.group(1))} 5` fails: the operator method of {cls} must also accept a plain int "
            f"or float as `other`.")


def _number_attribute(m: re.Match[str]) -> str:
    kind, attr = m.group(1), m.group(2)
    return (f"A plain {kind} reached code that reads `.{attr}` as if it were an instance of your class: where a "
            f"plain number can come in (an operator's `other`, a reflected method's operand), handle int and "
            f"float too.")


def _missing_attribute(m: re.Match[str]) -> str | None:
    cls, attr = m.group(1), m.group(2)
    if cls in BUILTIN:
        return None
    return (f"A {cls} has no `{attr}`: if it is data, set `self.{attr}` in `__init__` (from the argument that "
            f"carries it); if the tests call it, define the method `{attr}`.")


RULES: list[Rule] = [
    (re.compile(rf"unsupported operand type\(s\) for (\S+(?: or pow\(\))?): '{NUMBER}' and '(\w+)'"), _number_left),
    (re.compile(rf"unsupported operand type\(s\) for (\S+(?: or pow\(\))?): '(\w+)' and '{NUMBER}'"), _number_right),
    (re.compile(rf"AttributeError: '({NUMBER})' object has no attribute '(\w+)'"), _number_attribute),
    (re.compile(r"AttributeError: '(\w+)' object has no attribute '(\w+)'"), _missing_attribute),
    (re.compile(r"AssertionError: (?:assert )?None (?:!=|==) \S"),  # unittest's `actual != expected`, pytest's
     lambda m: "The function returned None: a `return` is missing on some path (after a loop, or in a branch)."),
    (re.compile(r"UnboundLocalError: cannot access local variable '(\w+)'"),
     lambda m: f"`{m.group(1)}` gets a value only on some paths before it is used: give it one on every path."),
    (re.compile(r"AssertionError: (\w+) not raised"),
     lambda m: f"The tests expect {m.group(1)} for this input: check for it and raise {m.group(1)} with the "
               f"message the test expects."),
    (re.compile(r"NameError: name '(\w+)' is not defined"),
     lambda m: f"`{m.group(1)}` is used but never defined or imported in the module."),
    (re.compile(r"RecursionError: maximum recursion depth exceeded"),
     lambda m: "Endless recursion: a method calls itself (for example `__eq__` comparing with `==` on the same "
               "class, or a property that returns itself)."),
]


def explain(report: str, limit: int = 2) -> list[str]:
    """Up to `limit` explanations for the errors in `report`, in the order the report shows them, each once."""
    found: list[tuple[int, str]] = []
    for pattern, say in RULES:  # each rule once: its first match that it explains
        for m in pattern.finditer(report):
            if text := say(m):
                found.append((m.start(), text))
                break
    return [text for _, text in sorted(found)[:limit]]


def with_hints(report: str, limit: int = 2) -> str:
    """`report` followed by its explanations, one `Hint:` line each (unchanged when there are none)."""
    hints = explain(report, limit)
    return "\n".join([report, *(f"Hint: {h}" for h in hints)]) if hints else report
