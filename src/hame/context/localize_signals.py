"""Pure parsers for localization: what a failing check's output, a bug report and a test file say about where
the bug is (traceback frames, failing test names, identifiers, imports). Functions over strings, no I/O."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

# `  File "pkg/mod.py", line 12, in func` (Python) and `pkg/mod.py:12: in func` / `pkg/mod.py:12: ValueError` (pytest)
PY_FRAME = re.compile(r'File "([^"]+)", line (\d+)')
PYTEST_FRAME = re.compile(r"^([\w./\\-]+\.\w+):(\d+):(?: |$)", re.M)
TEST_ID = re.compile(r"([\w./-]*\w)::([\w.:\[\]-]+)")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
ERROR_LINE = re.compile(r"^E\s+(.*)$", re.M)
# unittest's report: `FAIL: test_x (tests.test_mod.TestCase.test_x)` over a dashed line, then the traceback
UNITTEST_SECTION = re.compile(r"^(?:FAIL|ERROR): (\w+) \(([\w.]+)\)[^\n]*\n-{20,}\n(.*?)(?=^={20,}$|^-{20,}$|\Z)",
                              re.M | re.S)
MISSING = re.compile(r"cannot import name '(\w+)'|has no attribute '(\w+)'|name '(\w+)' is not defined")
STOPWORDS = frozenset(
    """
    a an the and or not no of in on at to for from by with without into is are was were be been it its this that
    when then than if else fix fixes fixed bug issue error errors test tests should must can could would will do does
    did make makes use uses used new old add adds added remove removes raise raises raised return returns py self
    """.split()
)  # fmt: skip


@dataclass(frozen=True)
class Frame:
    path: str
    line: int


@dataclass(frozen=True)
class TestId:
    path: str  # as written: "tests/test_x.py", "tests.test_x" or "test_x"
    name: str  # the test function (a class prefix and a parameter suffix dropped)
    cls: str = ""  # the class it is a method of, when the id names one (`path::Class::name`, unittest's)

    def matches(self, qualname: str) -> bool:
        """Whether a definition's qualified name (`name`, `Class.name`) is this test: a method's name alone
        would also match its namesakes in other test classes."""
        return qualname.rpartition(".")[2] == self.name and (not self.cls or owner_class(qualname) == self.cls)


def owner_class(qualname: str) -> str:
    """The class a method's dotted name puts it in (`Outer.Inner.test_x` -> `Inner`); "" for a function."""
    return qualname.rpartition(".")[0].rpartition(".")[2]


def traceback_frames(output: str) -> list[Frame]:
    """Every frame a check's output names, in the order printed (innermost last within each traceback)."""
    found: list[tuple[int, Frame]] = []
    for m in PY_FRAME.finditer(output):
        found.append((m.start(), Frame(m.group(1), int(m.group(2)))))
    for m in PYTEST_FRAME.finditer(output):
        found.append((m.start(), Frame(m.group(1), int(m.group(2)))))
    return [frame for _, frame in sorted(found, key=lambda f: f[0])]


def test_ids(text: str) -> list[TestId]:
    """Test ids (`path::name`, `path::Class::name[param]`; unittest's `test_x (module.Class)`) in a check's output
    or a task, first mention first."""
    out: dict[TestId, None] = {}
    for m in TEST_ID.finditer(text):
        parts = m.group(2).split("::")
        name = re.split(r"[\[]", parts[-1])[0]
        if name:
            out[TestId(m.group(1), name, parts[-2] if len(parts) > 1 else "")] = None
    out.update((TestId(module, name, cls), None) for name, module, cls, _ in unittest_sections(text))
    return list(out)


def error_lines(output: str) -> list[str]:
    """pytest's `E   ...` lines, or unittest's exception lines: the assertion or exception the failing test saw."""
    found = [m.group(1).rstrip() for m in ERROR_LINE.finditer(output) if m.group(1).strip()]
    return found or [error for _, _, body in unittest_failures(output) if (error := exception_line(body))]


def unittest_failures(output: str) -> list[tuple[str, str, str]]:
    """(test name, its module, the traceback) of each failure in unittest's report (`python -m unittest`)."""
    return [(name, module, body) for name, module, _, body in unittest_sections(output)]


def unittest_sections(output: str) -> list[tuple[str, str, str, str]]:
    """(test name, its module, its TestCase class, the traceback) of each failure in unittest's report."""
    found = []
    for name, where, body in UNITTEST_SECTION.findall(output):
        parts = where.split(".")
        parts = parts[:-1] if parts[-1] == name else parts  # 3.11 writes `module.Class.test`, older `module.Class`
        classes = []
        while len(parts) > 1 and parts[-1][:1].isupper():
            classes.append(parts.pop())  # the TestCase class
        found.append((name, ".".join(parts), classes[0] if classes else "", body))
    return found


def exception_line(traceback: str) -> str:
    """The line a Python traceback ends its frames with: `ValueError: ...`, `AssertionError: 3 != 4`."""
    lines = traceback.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Traceback")), -1) + 1
    return next((line.rstrip() for line in lines[start:] if line.strip() and not line[:1].isspace()), "")


def missing_names(output: str) -> list[str]:
    """Names a check's errors say do not exist (`cannot import name 'x'`, `has no attribute 'x'`): new API to add."""
    return list(dict.fromkeys(next(g for g in m.groups() if g) for line in error_lines(output)
                              for m in MISSING.finditer(line)))


def identifiers(text: str) -> list[str]:
    """Code-like words of a bug report or source text: dotted names kept whole and split, in first-seen order."""
    out: dict[str, None] = {}
    for m in IDENTIFIER.finditer(text):
        token = m.group(0)
        out[token] = None
        if "." in token:
            out.update(dict.fromkeys(token.split(".")))
    return [t for t in out if t.lower() not in STOPWORDS and len(t) > 1]


def split_words(name: str) -> list[str]:
    """The lowercase words of an identifier: `test_singularize_double_s` -> test, singularize, double, s."""
    return [w.lower() for part in re.split(r"[_\W]+", name) for w in CAMEL.findall(part)]


def is_code_like(word: str) -> bool:
    """An identifier a person would not write as an English word: snake_case, CamelCase, dotted, or with digits."""
    core = word.strip("_")
    return "_" in core or "." in core or any(c.isdigit() for c in core) or (
        any(c.isupper() for c in core[1:]) and any(c.islower() for c in core)) or word.startswith("_")


def python_imports(source: str) -> list[tuple[str, str | None]]:
    """(module, name or None) for each import of a Python file; [] when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    out: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out += [(node.module, alias.name) for alias in node.names]
    return out


def module_paths(module: str) -> list[str]:
    """The workspace paths a dotted Python module may live at."""
    base = module.replace(".", "/")
    return [f"{base}.py", f"{base}/__init__.py"]
