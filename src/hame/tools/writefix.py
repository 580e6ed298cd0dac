"""Certain repairs of a small model's whole-file writes, applied as a write filter after the guards (docs/tactics.md).

Small models make the same few mistakes when they rewrite a whole file, and then rewrite the same broken file
again and again while the tests fail with the same error. Where the right fix is certain, hame makes it and says so
in the tool result:
- protocol tags echoed into the file (`<tool_response name="read_file">` copied from a result) are removed;
- a standard-library module used as `math.sqrt(x)` but never imported gets `import math`;
- a top-level definition of the old file (a class, function or constant) that the new file drops, although the new
  code or another file of the workspace still uses it, is put back (the exception classes and status constants
  a task's stub defines and its tests import, typically).
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

STDLIB = frozenset(sys.stdlib_module_names) - {"this", "antigravity"}
_ECHO_HEAD = re.compile(r"\A\s*<tool_response(?: name=\"[^\"]*\")?>\n?")
_ECHO_TAIL = re.compile(r"\n?</tool_response>\s*\Z")
IDENT = re.compile(r"[A-Za-z_]\w*")
NUMBERED = re.compile(r" *\d{1,6}(?:  | *$)")  # a line as a numbered view shows it (context/show.py numbered_rows)
DEFINED = re.compile(r"\b(?:def|class)\s+([A-Za-z_]\w*)")


def strip_echo(content: str) -> str:
    """`content` without a `<tool_response ...>` tag at its start or a `</tool_response>` at its end."""
    return _ECHO_TAIL.sub("\n", _ECHO_HEAD.sub("", content, count=1), count=1)


def strip_line_numbers(content: str, whole: bool = True) -> str | None:
    """Python code copied with the line numbers a view showed (`  124  class Bits:`) without them, the view's
    unnumbered `...` lines dropped; None when it is not such a copy, or (`whole`: code that must parse, not a reply
    cut off) parses as it is or does not parse without them either."""
    lines = content.splitlines()
    numbered = [m for line in lines if (m := NUMBERED.match(line))]
    if len(numbered) < 3 or 2 * len(numbered) < sum(1 for line in lines if line.strip()):
        return None
    if whole and _parses(content):
        return None  # valid as it is (a table of numbers in the code, say)
    out = []
    for line in lines:
        m = NUMBERED.match(line)
        if m:
            out.append(line[m.end():])
        elif line.strip() != "...":
            out.append(line)
    code = "\n".join(out) + "\n"
    return code if not whole or _parses(code) else None


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def fix_python(old: str | None, new: str, used_elsewhere: Callable[[], set[str]] = set) -> tuple[str, list[str]]:
    """The repaired content and one note per repair; `new` unchanged (and no notes) when it does not parse.
    `used_elsewhere` gives the identifiers of the workspace's other files (asked only when something was dropped)."""
    notes: list[str] = []
    try:
        tree = ast.parse(new)
    except (SyntaxError, ValueError):
        return new, notes
    restored = dropped_definitions(old, tree, used_elsewhere)
    if restored:
        new = insert_after_imports(new, tree, "".join(code + "\n\n" for _, code in restored))
        names = ", ".join(name for name, _ in restored)
        notes.append(f"hame put back {names} from the old file: the new version dropped "
                     f"{'it' if len(restored) == 1 else 'them'}, but the code or the tests still use "
                     f"{'it' if len(restored) == 1 else 'them'}.")
        tree = ast.parse(new)
    missing = missing_imports(tree)
    if missing:
        names = ", ".join(missing)
        new = insert_after_imports(new, tree, "".join(f"import {m}\n" for m in missing), before_imports=True)
        notes.append(f"hame added `import {names}` at the top: the code uses {names} without importing it.")
    return new, notes


def missing_imports(tree: ast.Module) -> list[str]:
    """Standard-library modules the code uses as `module.attr` but never imports or binds."""
    bound, _ = _names(tree)
    used: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and isinstance(
                node.value.ctx, ast.Load) and node.value.id in STDLIB and node.value.id not in used:
            used.append(node.value.id)
    return [m for m in used if m not in bound]


def dropped_definitions(old: str | None, tree: ast.Module, used_elsewhere: Callable[[], set[str]]
                        ) -> list[tuple[str, str]]:
    """(name, source) of the old file's top-level definitions that `tree` lacks but uses or others use."""
    if not old:
        return []
    try:
        old_tree = ast.parse(old)
    except (SyntaxError, ValueError):
        return []
    bound, loaded = _names(tree)
    first: dict[str, ast.stmt] = {}  # each name once, as first defined
    for node in old_tree.body:
        if (n := _defined_name(node)) and n not in bound:
            first.setdefault(n, node)
    dropped = list(first.items())
    others = used_elsewhere() if any(n not in loaded for n, _ in dropped) else set()
    out = []
    for name, node in dropped:
        if name in loaded or name in others:
            code = ast.get_source_segment(old, node, padded=False)
            if code:
                out.append((name, code))
    return out


def insert_after_imports(source: str, tree: ast.Module, block: str, before_imports: bool = False) -> str:
    """`block` after the module docstring and `from __future__` imports, and after the other imports too unless
    `before_imports`."""
    lines = source.splitlines(keepends=True)
    at = 0
    for node in tree.body:
        doc = node is tree.body[0] and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and \
            isinstance(node.value.value, str)
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        plain = not before_imports and isinstance(node, ast.Import | ast.ImportFrom)
        if not (doc or future or plain):
            break
        at = node.end_lineno or at
    while at == 0 and at < len(lines) and lines[at].startswith(("#!", "# -*-", "# coding")):
        at += 1
    head = "".join(lines[:at])
    if head and not head.endswith("\n"):
        head += "\n"
    rest = "".join(lines[at:])
    if rest.strip() and not rest.startswith("\n") and not block.endswith("\n\n"):
        starts_import = rest.lstrip().startswith(("import ", "from "))
        block += "" if starts_import else "\n"
    return head + block + rest


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id if _static(node.value) else None
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id if _static(node.value) else None
    return None


def _static(value: ast.expr) -> bool:
    """A constant's value (`"win"`, `(1, 2)`), not code that runs (`game = Hangman("foo")` put back above the class
    it needs would break the module)."""
    return not any(isinstance(n, ast.Call | ast.Name | ast.Attribute | ast.Lambda) for n in ast.walk(value))


def _names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(every name the module binds anywhere, plus the builtins; every name it reads)."""
    bound: set[str] = set(dir(builtins))
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
    return bound, loaded - bound


def identifiers(paths: Iterable[Path], max_bytes: int = 1_000_000) -> set[str]:
    """Every identifier these files use (each read up to `max_bytes`). A name that appears only where it is
    defined (`def test_x`) is not a use: a test method's name must not bring back the function of that name a
    small model once wrote into the code file."""
    found: set[str] = set()
    for path in paths:
        try:
            with path.open("rb") as fh:
                text = fh.read(max_bytes).decode("utf-8", "replace")
        except OSError:
            continue
        seen, defined = Counter(IDENT.findall(text)), Counter(DEFINED.findall(text))
        found.update(name for name, n in seen.items() if n > defined[name])
    return found
