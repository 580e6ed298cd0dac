"""Salvage: the code inside a write that copied the test file.

A small model asked to make tests pass sometimes writes its solution and then the test module after it. Such a
write is refused (tactics/protect_tests.py) or cut while it streams (tactics/watches.py), and the solution would be
lost with it. hame keeps the code instead when what remains, without the test machinery, defines every name the
tests import from the file — and says what it dropped. A reply cut while copying keeps the files it had written
whole before the copy, or else the write it had begun, without the test code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ..agent.protocol import COPYING
from ..context.testfiles import TEST_NAME, test_sources_near
from ..messages import ToolCall
from ..tools.splice import span
from .base import Reply, Tactic
from .protect_tests import copied_tests

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


def kept_code(rel: str, old: str | None, content: str, workspace: Path) -> tuple[str, list[str]]:
    """A write filter: a write that copied the tests is kept without them, when that holds a whole solution."""
    if copied_tests(rel, content, workspace) and (kept := salvage(rel, content, workspace)):
        return kept[0], [kept[1]]
    return content, []


class Salvage(Tactic):
    name = "salvage"

    def start(self) -> None:
        if kept_code not in self.state.ctx.write_filters:
            self.state.ctx.write_filters.append(kept_code)

    def judge(self, reply: Reply) -> None:
        if reply.problem and reply.response.finish_reason == COPYING and (calls := self._salvaged(reply.response.text)):
            reply.calls, reply.problem = calls, None

    def _salvaged(self, text: str) -> list[ToolCall]:
        """The files a reply cut while copying the tests had written whole before the copy (`whole` protocol), or
        else the write it had begun, without the test code, when that still defines what the tests import. The
        writes go through write_file's guards like any other."""
        protocol, s = self.state.protocol, self.state
        closed = [c for c in protocol.closed_writes(text) if not TEST_NAME.search(str(c.arguments.get("path", "")))]
        if closed:
            paths = ", ".join(str(c.arguments["path"]) for c in closed)
            s.notice(f"the reply was cut when it began copying the tests; what it wrote whole before is kept: {paths}")
            return closed
        call = protocol.cut_write(text)
        path = str(call.arguments.get("path", "")) if call else ""
        kept = salvage(path, str(call.arguments.get("content", "")), s.ctx.workspace) if call and path else None
        if kept is None:
            return []
        s.notice(f"the reply copying the tests was cut; the code it wrote before them is kept. {kept[1]}")
        return [protocol.write_call(path, kept[0])]
