"""Missing standard-library imports, added for a small model: `math.sqrt(x)` in a file that never imports or
defines `math` gets `import math`. Small models forget imports often and then rewrite the same file again and
again while the tests fail with the same NameError; the fix is certain, so hame makes it and says so."""

from __future__ import annotations

import ast
import builtins
import sys

STDLIB = frozenset(sys.stdlib_module_names) - {"this", "antigravity"}


def missing_imports(source: str) -> list[str]:
    """Standard-library modules the code uses as `module.attr` but never imports or binds; [] when the file does
    not parse (the syntax check reports that)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    bound: set[str] = set(dir(builtins))
    used: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and isinstance(
                node.value.ctx, ast.Load) and node.value.id in STDLIB and node.value.id not in used:
            used.append(node.value.id)
    if any(isinstance(n, ast.Global | ast.Nonlocal) for n in ast.walk(tree)):
        bound.update(name for n in ast.walk(tree) if isinstance(n, ast.Global | ast.Nonlocal) for name in n.names)
    return [m for m in used if m not in bound]


def add_imports(source: str, modules: list[str]) -> str:
    """`source` with `import M` lines after its docstring, `from __future__` imports and leading comments."""
    lines = source.splitlines(keepends=True)
    at = _insert_at(source, lines)
    block = "".join(f"import {m}\n" for m in modules)
    if at < len(lines) and lines[at].strip() and not lines[at].lstrip().startswith(("import ", "from ")):
        block += "\n"
    return "".join(lines[:at]) + block + "".join(lines[at:])


def _insert_at(source: str, lines: list[str]) -> int:
    tree = ast.parse(source)
    at = 0
    for node in tree.body:
        is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(
            node.value.value, str) and node is tree.body[0]
        if is_doc or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            at = node.end_lineno or at
        else:
            break
    while at == 0 and at < len(lines) and lines[at].startswith(("#!", "# -*-", "# coding")):
        at += 1
    return at
