"""Put a few rewritten definitions into a Python file in place of the old ones, keeping the rest of it.

After a near miss (most tests pass), a small model asked for the whole file again rewrites everything and breaks
what worked; asked for only the functions or methods that fail, it can fix those alone. Its reply is then a part of
the file: each function, class or method in it replaces the one of the same name (a method where its class has it,
or, written alone with `self`, where the one class that has it does); new ones are added. A function written without
its docstring keeps the old one: re-typing a long docstring costs a small model its output budget and invites
loops, so it is asked to leave docstrings out. A tactic applies it as a write filter (docs/tactics.md).
"""

from __future__ import annotations

import ast
import textwrap

Def = ast.FunctionDef | ast.AsyncFunctionDef


def splice(old: str, part: str) -> tuple[str, list[str]] | None:
    """(the file with `part`'s definitions in place, the names replaced or added), or None when `part` is not a
    part of `old` — it does not parse, defines nothing, or holds every top-level definition (a whole file)."""
    part = textwrap.dedent(part)
    try:
        old_tree, new_tree = ast.parse(old), ast.parse(part)
    except (SyntaxError, ValueError):
        return None
    top = {n.name: n for n in old_tree.body if isinstance(n, Def | ast.ClassDef)}
    new_defs = [n for n in new_tree.body if isinstance(n, Def | ast.ClassDef)]
    if not new_defs or not top or _whole(top, new_defs):
        return None
    owners = _method_owners(old_tree)
    old_lines, part_lines = old.splitlines(), part.splitlines()
    edits: list[tuple[int, int, list[str]]] = []  # old lines [start, end) replaced by the new lines
    tail: list[str] = []
    names: list[str] = []
    for node in new_tree.body:
        text = _source(part_lines, node)
        name = getattr(node, "name", "")
        was = top.get(name)
        if isinstance(node, ast.ClassDef) and isinstance(was, ast.ClassDef):
            class_edits, replaced = _class_edits(was, node, part_lines, old_lines)
            edits += class_edits
            names += replaced
            continue
        if isinstance(node, Def | ast.ClassDef) and was is not None:
            edits.append((*span(was), _keep_docstring(old_lines, was, node, text)))
        elif isinstance(node, Def) and _is_method(node) and len(owners.get(name, [])) == 1:
            method = owners[name][0]
            edits.append((*span(method), _keep_docstring(old_lines, method, node, _indent(text, method.col_offset))))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if "\n".join(text) not in old:
                edits.append((0, 0, text))
        else:
            tail += ["", "", *text]
        if name:
            names.append(name)
    lines = list(old_lines)
    for start, end, text in sorted(edits, key=lambda e: e[:2], reverse=True):
        lines[start:end] = text
    out = "\n".join(lines + tail).rstrip("\n") + "\n"
    try:
        ast.parse(out)
    except (SyntaxError, ValueError):
        return None
    return out, names


def _class_edits(old: ast.ClassDef, new: ast.ClassDef, part_lines: list[str], old_lines: list[str]
                 ) -> tuple[list[tuple[int, int, list[str]]], list[str]]:
    """A class given in full replaces the old one; a class with some of its methods replaces those methods."""
    old_methods = {n.name: n for n in old.body if isinstance(n, Def)}
    new_methods = [n for n in new.body if isinstance(n, Def)]
    if set(old_methods) <= {m.name for m in new_methods}:
        return [(*span(old), _source(part_lines, new))], [new.name]
    indent = old.body[0].col_offset
    edits = []
    for method in new_methods:
        text = _indent(_source(part_lines, method), indent)
        if method.name in old_methods:
            was = old_methods[method.name]
            edits.append((*span(was), _keep_docstring(old_lines, was, method, text)))
        else:
            end = old.end_lineno or old.lineno
            edits.append((end, end, ["", *text]))
    return edits, [f"{new.name}.{m.name}" for m in new_methods]


def _keep_docstring(old_lines: list[str], was: ast.stmt, new: ast.stmt, text: list[str]) -> list[str]:
    """`text` (the new function as it goes into the file) with the old function's docstring when it has none."""
    if not isinstance(was, Def) or not isinstance(new, Def) or ast.get_docstring(new, clean=False) is not None:
        return text
    if ast.get_docstring(was, clean=False) is None:
        return text
    doc, first = was.body[0], new.body[0]
    at = first.lineno - 1 - span(new)[0]  # where the new body starts in `text`
    end = doc.end_lineno or doc.lineno
    if doc.lineno == was.lineno or first.lineno == new.lineno or old_lines[end - 1][doc.end_col_offset or 0:].strip():
        return text  # a one-line definition, or the docstring shares its lines with other code
    shift = len(text[at]) - len(text[at].lstrip()) - doc.col_offset
    lines = old_lines[doc.lineno - 1 : end]
    if shift >= 0:
        lines = _indent(lines, shift)
    else:
        lines = [line[-shift:] if line[:-shift].isspace() else line.lstrip() for line in lines]
    return text[:at] + lines + text[at:]


def _whole(top: dict[str, Def | ast.ClassDef], new_defs: list[Def | ast.ClassDef]) -> bool:
    """True when the new definitions cover every old one, each class with all of its methods: a whole file."""
    given = {n.name: n for n in new_defs}
    if not set(top) <= set(given):
        return False
    return all(_methods(old) <= _methods(given[name]) for name, old in top.items()
               if isinstance(old, ast.ClassDef) and isinstance(given[name], ast.ClassDef))


def _methods(cls: Def | ast.ClassDef) -> set[str]:
    return {n.name for n in cls.body if isinstance(n, Def)} if isinstance(cls, ast.ClassDef) else set()


def _method_owners(tree: ast.Module) -> dict[str, list[Def]]:
    owners: dict[str, list[Def]] = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for method in (n for n in cls.body if isinstance(n, Def)):
            owners.setdefault(method.name, []).append(method)
    return owners


def _is_method(node: Def) -> bool:
    return bool(node.args.args) and node.args.args[0].arg in ("self", "cls")


def span(node: ast.stmt) -> tuple[int, int]:
    """0-based [start, end) lines of a definition, its decorators included."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return start - 1, node.end_lineno or node.lineno


def _source(lines: list[str], node: ast.stmt) -> list[str]:
    start, end = span(node)
    return textwrap.dedent("\n".join(lines[start:end])).splitlines()


def _indent(lines: list[str], by: int) -> list[str]:
    return [(" " * by + line) if line.strip() else line for line in lines]
