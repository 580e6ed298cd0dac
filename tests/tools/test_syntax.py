from __future__ import annotations

import pytest

from hame.tools.syntax import has_grammar, new_syntax_errors, syntax_errors

BROKEN = {
    "a.py": "def f(:\n    pass\n",
    "a.js": "function f( {\n  return 1;\n}\n",
    "a.jsx": "const a = <div>hi</div>;\nconst b = (;\n",
    "a.ts": "let x: number = ;\n",
    "a.tsx": "const a = <div>hi</div>;\nconst b = <div>;\n",
    "a.go": "package main\nfunc main() {\n\tx := \n}\n",
    "a.rs": "fn main() { let x = ; }\n",
}
GOOD = {
    "a.py": "def f(a):\n    return a\n",
    "a.js": "function f(a) {\n  return a;\n}\n",
    "a.jsx": "const a = <div>{x}</div>;\n",
    "a.ts": "let x: number = 1;\n",
    "a.tsx": "const a = <div>{x as number}</div>;\n",
    "a.go": "package main\n\nfunc main() {}\n",
    "a.rs": "fn main() { let x = 1; }\n",
}


def need(path: str) -> None:
    if not has_grammar(path):
        pytest.skip(f"no tree-sitter grammar available for {path}")


@pytest.mark.parametrize("path", sorted(BROKEN))
def test_broken_code_is_reported_with_line_numbers(path: str) -> None:
    need(path)
    errors = syntax_errors(path, BROKEN[path])
    assert errors and all(e.startswith("line ") for e in errors)


@pytest.mark.parametrize("path", sorted(GOOD))
def test_good_code_has_no_errors(path: str) -> None:
    need(path)
    assert syntax_errors(path, GOOD[path]) == []


def test_python_messages() -> None:
    need("a.py")
    assert syntax_errors("a.py", "def f(:\n    pass\nx = (1,\n") == [
        "line 1: missing ')'", "line 3: syntax error at 'x = (1,'"]


def test_unsupported_extension_is_never_an_error() -> None:
    assert syntax_errors("notes.txt", "((((") == []
    assert not has_grammar("notes.txt")


def test_only_new_errors_count_even_when_lines_move() -> None:
    need("a.py")
    before = "def f(:\n    pass\n"
    after = "import os\n\n" + before + "if x\n    y = 1\n"
    fresh = new_syntax_errors("a.py", before, after)
    assert len(fresh) == 1 and fresh[0].startswith("line 5: ")
    assert new_syntax_errors("a.py", before, "import os\n" + before) == []
