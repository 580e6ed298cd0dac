"""Put a few rewritten definitions into a Python file in place of the old ones, keeping the rest of it.

After a near miss (most tests pass), a small model asked for the whole file again rewrites everything and breaks
what worked; asked for only the functions or methods that fail, it can fix those alone. Its reply is then a part of
the file: each function, class or method in it replaces the one of the same name (a method where its class has it,
or, written alone with `self`, where the one class that has it does); new ones are added. A definition written
without its docstring, or with the shortened one the localized view shows, keeps the old one: re-typing a long
docstring costs a small model its output budget and invites loops. A tactic applies it as a write filter
(docs/tactics.md).
"""

from __future__ import annotations

import ast
import re
import textwrap

Def = ast.FunctionDef | ast.AsyncFunctionDef
DEF_START = re.compile(r"(\s*)(?:@|def |async def |class )")  # a line that begins a definition
SAME_WORDS = 4  # a one-line docstring starting with the old one's first words is a shortening of it, not a new one


def splice(old: str, part: str) -> tuple[str, list[str]] | None:
    """(the file with `part`'s definitions in place, the names replaced or added), or None when `part` is not a
    part of `old` — it does not parse, defines nothing, or holds every top-level definition (a whole file)."""
    part = textwrap.dedent(part)
    try:
        old_tree, new_tree = ast.parse(old), ast.parse(part)
    except (SyntaxError, ValueError):
        return None
    top = {n.name: n for n in old_tree.body if isinstance(n, Def | ast.ClassDef)}
    constants = {name: n for n in old_tree.body if (name := _assigned(n))}  # `PATTERN = re.compile(...)`
    new_defs = [n for n in new_tree.body if isinstance(n, Def | ast.ClassDef)]
    new_constants = [n for n in new_tree.body if _assigned(n) in constants]
    if not (new_defs or new_constants) or not top or _whole(top, new_defs):
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
            class_edits, replaced = _class_edits(was, node, part_lines)
            edits += class_edits
            names += replaced
            continue
        if isinstance(node, Def | ast.ClassDef) and was is not None:
            edits.append((*_replaced(was, node), text))
        elif isinstance(node, Def) and _is_method(node) and (method := _owned(node, owners.get(name, []))):
            edits.append((*_replaced(method, node), _indent(text, method.col_offset)))
        elif (constant := _assigned(node)) in constants:  # a module-level value changed where it stands
            edits.append((*span(constants[constant]), text))
            name = constant
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
    return keep_docstrings(old, out), names


def complete_definitions(cut: str) -> str | None:
    """The definitions a reply cut off in mid-definition had finished: `cut` up to the line where its last, unfinished
    function or method begins (a top-level one, or a method of a top-level class); None when none is finished."""
    lines = textwrap.dedent(cut).splitlines()
    for i in range(len(lines) - 1, 0, -1):
        if not (m := DEF_START.match(lines[i])):
            continue
        head = lines[:i]
        try:  # where a statement at this line's indentation lands: the module, or a top-level class
            last = ast.parse("\n".join([*head, m.group(1) + "pass"])).body[-1]
        except (SyntaxError, ValueError):
            continue  # inside a bracket or a decorated definition: try the line above
        if not (isinstance(last, ast.Pass) or isinstance(last, ast.ClassDef) and isinstance(last.body[-1], ast.Pass)):
            continue  # a nested function: the definition around it is unfinished
        code = "\n".join(head).rstrip() + "\n"
        tree = ast.parse(code)
        if any(isinstance(n, Def) or isinstance(n, ast.ClassDef) and _methods(n) for n in tree.body):
            return code
    return None


def _class_edits(old: ast.ClassDef, new: ast.ClassDef, part_lines: list[str]
                 ) -> tuple[list[tuple[int, int, list[str]]], list[str]]:
    """The class's members the reply gives replace the old ones of the same name (methods, nested classes, class
    attributes); new ones are added at its end; members it leaves out stay, also when it gives every method (a
    small model re-typing a class drops its attributes). A class whose header changed replaces the old one whole."""
    if _header(old) != _header(new):
        return [(*span(old), _source(part_lines, new))], [new.name]
    olds: dict[str, list[ast.stmt]] = {}  # name -> old members; a property's getter and setter share it
    for node in old.body:
        if name := _member(node):
            olds.setdefault(name, []).append(node)
    news: dict[str, list[ast.stmt]] = {}
    for node in new.body:
        if name := _member(node):  # not a docstring, `pass` or a bare expression: the old class keeps its own
            news.setdefault(name, []).append(node)
    indent = old.body[0].col_offset
    edits, names = [], []
    for name, nodes in news.items():
        have = list(olds.get(name, []))
        applied = False
        for node in nodes:
            if have and _placeholder(node):
                continue  # `def f(...): ...`: a member the reply leaves as it was, not a new version
            lines = _source(part_lines, node)
            text = _indent(lines, indent)
            if twin := _counterpart(node, have):
                have.remove(twin)
                edits.append((*_replaced(twin, node), text))
            else:  # a new member, or a new accessor of an old property: after the old ones, or at the class's end
                end = max((span(n)[1] for n in olds.get(name, [])), default=old.end_lineno or old.lineno)
                edits.append((end, end, ["", *text] if DEF_START.match(lines[0]) else text))
            applied = True
        if applied:
            names.append(f"{new.name}.{name}")
    return edits, names


def _counterpart(new: ast.stmt, olds: list[ast.stmt]) -> ast.stmt | None:
    """The old member `new` replaces: the one in the same role (a getter, `@x.setter`, `@x.deleter`); for a member
    written without decorators, the one taking as many arguments (a setter re-typed without its `@x.setter`)."""
    if not olds:
        return None
    if getattr(new, "decorator_list", None):
        return next((o for o in olds if _role(o) == _role(new)), None)
    return next((o for o in olds if _arity(o) == _arity(new)), olds[0])


def _role(node: ast.stmt) -> str:
    """`setter` or `deleter` for a property's other accessors, "" for anything else."""
    return next((d.attr for d in getattr(node, "decorator_list", [])
                 if isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter")), "")


def _arity(node: ast.stmt) -> int:
    return len(node.args.args) if isinstance(node, Def) else -1


def _replaced(old: ast.stmt, new: ast.stmt) -> tuple[int, int]:
    """The old lines a new definition replaces; the old decorators stay when the new one has none (a small model
    re-typing a method drops its `@property` or `@staticmethod`, and the splice would drop it with them)."""
    start, end = span(old)
    if getattr(old, "decorator_list", None) and not getattr(new, "decorator_list", None):
        start = old.lineno - 1
    return start, end


def _placeholder(node: ast.stmt) -> bool:
    """A function whose body is only `...` (after a docstring, maybe): a member left out, not a new version."""
    body = [n for n in getattr(node, "body", []) if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
                                                        and isinstance(n.value.value, str))]
    return isinstance(node, Def) and len(body) == 1 and isinstance(body[0], ast.Expr) \
        and isinstance(body[0].value, ast.Constant) and body[0].value.value is Ellipsis


def _header(cls: ast.ClassDef) -> str:
    return ast.dump(ast.ClassDef(name=cls.name, bases=cls.bases, keywords=cls.keywords, body=[],
                                 decorator_list=cls.decorator_list, type_params=[]))


def _assigned(node: ast.stmt) -> str | None:
    """The one name a module-level assignment binds (`x = ...`, `x: int = ...`), or None."""
    return _member(node) if isinstance(node, ast.Assign | ast.AnnAssign) else None


def _member(node: ast.stmt) -> str | None:
    """The name a class-body statement defines: a method, a nested class, an attribute (`x = ...`, `x: int = ...`)."""
    if isinstance(node, Def | ast.ClassDef):
        return node.name
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None


def keep_docstrings(old: str, new: str) -> str:
    """`new` with the old docstring of each function or class back where `new` dropped it or sent a shortened copy
    of it (its first words, maybe ending in `...`, as the localized view shows a long one); `new` if that fails."""
    try:
        old_tree, new_tree = ast.parse(old), ast.parse(new)
    except (SyntaxError, ValueError):
        return new
    old_lines, lines = old.splitlines(), new.splitlines()
    old_docs = {name: (doc, node.body[0]) for name, node in _named(old_tree)
                if (doc := own_docstring(node, old_lines)) is not None}
    edits: list[tuple[int, int, list[str]]] = []
    for name, node in _named(new_tree):
        first = node.body[0]
        if name not in old_docs or first.lineno == node.lineno:
            continue  # nothing to keep, or a one-line definition
        old_doc, was = old_docs[name]
        if (doc := own_docstring(node, lines)) is None:
            if ast.get_docstring(node, clean=False) is not None:
                continue  # a docstring that shares its lines with code: left as it is
            start = end = first.lineno - 1  # none: the old one goes before the first statement
        elif doc != old_doc and _shortened(doc, old_doc):
            start, end = first.lineno - 1, first.end_lineno or first.lineno
        else:
            continue  # the same docstring, or a new one written on purpose
        text = old_lines[was.lineno - 1 : was.end_lineno]
        edits.append((start, end, _shifted(text, first.col_offset - was.col_offset)))
    for start, end, text in sorted(edits, reverse=True):
        lines[start:end] = text
    out = "\n".join(lines) + "\n"
    try:
        ast.parse(out)
    except (SyntaxError, ValueError):
        return new
    return out


def _shifted(lines: list[str], by: int) -> list[str]:
    """`lines` indented `by` more columns (fewer when negative, taking only spaces)."""
    if by >= 0:
        return _indent(lines, by)
    return [line[-by:] if line[:-by].isspace() else line.lstrip() for line in lines]


def _named(tree: ast.Module) -> list[tuple[str, Def | ast.ClassDef]]:
    """Every function and class with its qualified name (`Class.method`)."""
    found: list[tuple[str, Def | ast.ClassDef]] = []

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, Def | ast.ClassDef):
                found.append((prefix + node.name, node))
                walk(node.body, f"{prefix}{node.name}.")

    walk(tree.body, "")
    return found


def own_docstring(node: Def | ast.ClassDef, lines: list[str]) -> str | None:
    """The node's docstring, when it stands on lines of its own (not after the `def` line's colon, no code after)."""
    doc = ast.get_docstring(node, clean=False)
    first = node.body[0]
    if doc is None or first.lineno == node.lineno or lines[(first.end_lineno or first.lineno) - 1][
            first.end_col_offset or 0:].strip():
        return None
    return doc


def _shortened(doc: str, old: str) -> bool:
    """Whether `doc` is the first words of `old` (the last word's punctuation, a trailing `...` aside), or a one-line
    summary of a longer `old` that starts with its first SAME_WORDS words (a small model's retelling of the cut)."""
    words, old_words = doc.replace("...", " ").replace("\u2026", " ").split(), old.split()
    if "\n" not in doc.strip() and old.strip().count("\n") >= 1 and len(words) >= SAME_WORDS \
            and words[:SAME_WORDS] == old_words[:SAME_WORDS]:
        return True
    if len(words) > len(old_words):
        return False
    if not words:
        return True
    last = len(words) - 1
    return words[:last] == old_words[:last] and words[last].rstrip(".,;:") == old_words[last].rstrip(".,;:")


def same_code(old: str, new: str) -> bool:
    """Whether two Python sources hold the same code: blank lines, comments, formatting and docstrings aside."""
    try:
        return _code(ast.parse(old)) == _code(ast.parse(new))
    except (SyntaxError, ValueError):
        return False


def _code(tree: ast.Module) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | Def | ast.ClassDef) and ast.get_docstring(node, clean=False) is not None:
            node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _whole(top: dict[str, Def | ast.ClassDef], new_defs: list[Def | ast.ClassDef]) -> bool:
    """True when the new definitions cover every old one, each class with all of its methods: a whole file."""
    given = {n.name: n for n in new_defs}
    if not set(top) <= set(given):
        return False
    return all(_methods(old) <= _methods(given[name]) for name, old in top.items()
               if isinstance(old, ast.ClassDef) and isinstance(given[name], ast.ClassDef))


def _methods(cls: Def | ast.ClassDef) -> set[str]:
    return {n.name for n in cls.body if isinstance(n, Def)} if isinstance(cls, ast.ClassDef) else set()


def _method_owners(tree: ast.Module) -> dict[str, list[tuple[ast.ClassDef, Def]]]:
    owners: dict[str, list[tuple[ast.ClassDef, Def]]] = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for method in (n for n in cls.body if isinstance(n, Def)):
            owners.setdefault(method.name, []).append((cls, method))
    return owners


def _owned(new: Def, owners: list[tuple[ast.ClassDef, Def]]) -> ast.stmt | None:
    """The method a method written alone replaces: where one class has it (a property's accessors are one class's)."""
    if len({id(cls) for cls, _ in owners}) != 1:
        return None
    return _counterpart(new, [method for _, method in owners])


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
