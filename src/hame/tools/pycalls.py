"""Tool calls written as Python: a line that is nothing but `read_file(path="a.py")` (or `read_file("a.py")`).

Only known tool names count, only at the start of a line with nothing after the call, only with literal
arguments, and not inside a code fence that holds other code, so prose or an example that uses a function of the
same name is left alone.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from .toolnames import Toolset

RawCall = tuple[str, object]
_START = re.compile(r"^[ \t]*(?:functions\.|tools\.|default_api\.)?([A-Za-z_][\w\-]*)[ \t]*\(", re.MULTILINE)
_MAX_TRIES = 200
_FENCE = re.compile(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)


def find(text: str, toolset: Toolset) -> Iterator[tuple[int, int, list[RawCall]]]:
    code = [(m.start(1), m.end(1)) for m in _FENCE.finditer(text)]
    for match in _START.finditer(text):
        if not toolset.resolve(match.group(1)):
            continue
        got = _parse(text, match.end() - 1, toolset.tools[toolset.resolve(match.group(1)) or ""])
        if got is None:
            continue
        args, end = got
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if text[end:line_end].strip(" \t;") == "" and not _among_code(text, code, match.start(), end):
            yield match.start(), end, [(match.group(1), args)]


def _among_code(text: str, fences: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) sits in a fenced block that also holds other code."""
    return any(lo <= start and end <= hi and text[lo:hi].strip() != text[start:end].strip() for lo, hi in fences)


def read_call(text: str, toolset: Toolset) -> RawCall | None:
    """`text` read as exactly one call, or None."""
    match = _START.match(text)
    if not match:
        return None
    tool = toolset.resolve(match.group(1))
    if not tool:
        return None
    got = _parse(text, match.end() - 1, toolset.tools[tool])
    if got is None or text[got[1]:].strip(" \t\n;"):
        return None
    return match.group(1), got[0]


def _parse(text: str, paren: int, params: list[str]) -> tuple[dict[str, object], int] | None:
    """The arguments of the call whose `(` is at `paren`, and the index after its `)`."""
    closes = (m.start() for m in re.finditer(r"\)", text[paren:]))
    for _, offset in zip(range(_MAX_TRIES), closes, strict=False):
        end = paren + offset + 1
        try:
            node = ast.parse("f" + text[paren:end], mode="eval").body
        except SyntaxError:
            continue
        args = _literal_args(node, params) if isinstance(node, ast.Call) else None
        return None if args is None else (args, end)
    return None


def _literal_args(call: ast.Call, params: list[str]) -> dict[str, object] | None:
    """Keyword arguments as given, positional ones by the tool's parameter order; None if any is not a literal."""
    try:
        named = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}
        free = [p for p in params if p not in named]
        if len(call.args) > len(free):
            return None
        return {**dict(zip(free, (ast.literal_eval(a) for a in call.args), strict=False)), **named}
    except ValueError:
        return None
