"""The code inside a write that copied the test file.

A small model asked to make tests pass sometimes writes its solution and then the test module after it (the 1.5B's
nth-prime: a correct `prime()` followed by `import unittest` and the whole `NthPrimeTest` class). Such a write is
refused (`fileio.copied_tests`) or cut while it streams (`fileio.copy_watch`), and the solution would be lost with
it. With `protect_tests`, hame keeps the code instead when what remains, without the test machinery, defines every
name the tests import from the file — and says what it dropped.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .fileio import TEST_NAME, copied_tests, test_sources_near
from .splice import span

MAX_TRIMMED = 400  # lines dropped from the end of a cut-off reply until the rest parses
TEST_MODULES = frozenset({"unittest", "pytest"})


def salvage(rel: str, content: str, workspace: Path) -> tuple[str, str] | None:
    """(the code without the copied tests, a note saying so), or None when there is no whole solution in it."""
    if not rel.endswith(".py") or TEST_NAME.search(rel):
        return None
    module = Path(rel).stem
    tests = [text for _, text in test_sources_near(rel, workspace)]
    tested = set().union(*(imported_from(text, module) for text in tests))
    source, tree = _parse_prefix(content)
    if not tested or tree is None:
        return None
    lines = source.splitlines()
    kept, dropped = [], []
    for node in tree.body:
        segment = "\n".join(lines[slice(*span(node))])
        (dropped if _test_code(node, segment, module, tests) else kept).append((node, segment))
    defined = {name for node, _ in kept if (name := _defined(node))}
    if not dropped or not tested <= defined or not any(_real(node) for node, _ in kept):
        return None
    code = "\n\n\n".join(segment for _, segment in kept) + "\n"
    if copied_tests(rel, code, workspace):
        return None
    what = ", ".join(sorted({_describe(node) for node, _ in dropped}))
    return code, (f"hame dropped the test code you copied into {rel} ({what}) and kept your code: "
                  f"{', '.join(sorted(defined))}.")


def imported_from(test_source: str, module: str) -> set[str]:
    """The names a test module imports from `module` (`from module import a, b`)."""
    try:
        tree = ast.parse(test_source)
    except (SyntaxError, ValueError):
        return set()
    return {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == module
            for a in node.names if a.name != "*"}


def _parse_prefix(content: str) -> tuple[str, ast.Module | None]:
    """The longest start of `content` that parses (a reply cut off while it streams ends mid-statement)."""
    lines = content.splitlines()
    for end in range(len(lines), max(len(lines) - MAX_TRIMMED, 0), -1):
        source = "\n".join(lines[:end]) + "\n"
        try:
            return source, ast.parse(source)
        except (SyntaxError, ValueError):
            continue
    return "", None


def _test_code(node: ast.stmt, segment: str, module: str, tests: list[str]) -> bool:
    """Test machinery: test-framework imports, imports of the module itself, TestCase classes, test functions,
    the `unittest.main()` guard, and definitions copied as they are from a test file (its helpers)."""
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] in TEST_MODULES or a.name == module for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.module == module or (node.module or "").split(".")[0] in TEST_MODULES
    if isinstance(node, ast.ClassDef):
        bases = {ast.unparse(b).split(".")[-1] for b in node.bases}
        return "TestCase" in bases or node.name.startswith("Test")
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return node.name.startswith("test_") or any(segment.strip() in text for text in tests)
    if isinstance(node, ast.If):
        return bool(re.search(r"__name__\s*==\s*['\"]__main__['\"]", ast.unparse(node.test)))
    return False


def _defined(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def _real(node: ast.stmt) -> bool:
    """A function or class with a body that does something (not only `pass`, `...` or a docstring)."""
    if isinstance(node, ast.ClassDef):
        return any(_real(n) for n in node.body)
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    return any(not (isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)))
               for s in node.body)


def _describe(node: ast.stmt) -> str:
    if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return f"{'class' if isinstance(node, ast.ClassDef) else 'def'} {node.name}"
    if isinstance(node, ast.If):
        return "the __main__ block"
    return "the test imports"
