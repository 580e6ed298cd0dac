"""Missing standard-library imports: found from the code's own names, added after the docstring, reported."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from hame.tools.writefix import (
    fix_python,
    identifiers,
    insert_after_imports,
    missing_imports,
    strip_echo,
    strip_line_numbers,
)

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply


def missing(code: str) -> list[str]:
    return missing_imports(ast.parse(code))


def test_modules_used_but_never_imported_or_bound_are_found() -> None:
    code = ("import os\nfrom collections import deque as dq\n\n"
            "def f(x, re):\n    return math.sqrt(x) + os.sep + re.escape(x) + itertools.count(1) + dq()\n\n"
            "def g(string):\n    json = {}\n    return string.upper(), json.get(1), math.pi\n")
    assert missing(code) == ["math", "itertools"]  # re is a parameter, json a local, string an argument
    assert missing("import math\nprint(math.pi)\n") == []
    assert missing("class A:\n    def f(self):\n        return self.math.pi\n") == []
    assert missing("random = Random()\nrandom.choice([1])\n") == []
    assert fix_python(None, "def broken(:\n    math.pi\n") == ("def broken(:\n    math.pi\n", [])


def test_imports_go_after_the_docstring_and_future_imports() -> None:
    def add(code: str) -> str:
        return fix_python(None, code)[0]

    assert add('"""Doc."""\nfrom __future__ import annotations\n\n\ndef f():\n    return math.pi\n') == (
        '"""Doc."""\nfrom __future__ import annotations\nimport math\n\n\ndef f():\n    return math.pi\n')
    assert add("def f():\n    return math.pi + re.escape('')\n") == (
        "import math\nimport re\n\ndef f():\n    return math.pi + re.escape('')\n")
    assert add("#!/usr/bin/env python\nimport os\nx = math.pi\n") == (
        "#!/usr/bin/env python\nimport math\nimport os\nx = math.pi\n")
    code = "import os\nx = 1\n"
    assert insert_after_imports(code, ast.parse(code), "Y = 2\n") == "import os\nY = 2\n\nx = 1\n"


STUB = ("# Game status categories\nSTATUS_WIN = 'win'\nSTATUS_LOSE = 'lose'\nSTATUS_ONGOING = 'ongoing'\n\n\n"
        "class BufferFullException(BufferError):\n    def __init__(self, message):\n        pass\n\n\n"
        "class Hangman:\n    def __init__(self, word):\n        self.status = STATUS_ONGOING\n\n"
        "def helper():\n    pass\n")


def test_definitions_dropped_but_still_used_are_put_back() -> None:
    new = ("class Hangman:\n    def __init__(self, word):\n        self.status = STATUS_ONGOING\n"
           "        self.word = word\n")
    fixed, notes = fix_python(STUB, new, lambda: {"Hangman", "STATUS_LOSE", "BufferFullException", "assertEqual"})
    assert fixed == ("STATUS_LOSE = 'lose'\n\nSTATUS_ONGOING = 'ongoing'\n\nclass BufferFullException(BufferError):\n"
                     "    def __init__(self, message):\n        pass\n\n" + new)
    assert notes == ["hame put back STATUS_LOSE, STATUS_ONGOING, BufferFullException from the old file: the new "
                     "version dropped them, but the code or the tests still use them."]
    assert fix_python(STUB, new + "helper = None\n", set)[0].startswith("STATUS_ONGOING")  # only what is used
    assert fix_python(STUB, STUB) == (STUB, [])


def test_names_the_tests_only_define_are_not_uses(tmp_path: Path) -> None:
    """The 0.5B wrote test functions into binary_search.py once; every later write had them put back (they share
    the test methods' names), the file grew, and the size guard then refused its real, shorter solutions."""
    tests = tmp_path / "search_test.py"
    tests.write_text("from search import find\n\nclass T:\n    def test_found(self):\n        find([1], 1)\n"
                     "\n    def test_missing(self):\n        find([], 1)\n\n    def test_found(self):\n        pass\n")
    used = identifiers([tests])
    assert "find" in used and "T" not in used and "test_found" not in used and "test_missing" not in used
    old = "def find(xs, v):\n    pass\n\n\ndef test_found():\n    assert find([1], 1) == 0\n"
    new = "def find(xs, v):\n    return xs.index(v)\n"
    assert fix_python(old, new, lambda: identifiers([tests])) == (new, [])


def test_statements_that_run_code_are_not_put_back_and_each_name_comes_back_once() -> None:
    old = STUB + "\ngame = Hangman('foo')\ngame = Hangman('bar')\nSTATUS_WIN = 'won'\n"  # a model's usage example
    new = "class Hangman:\n    def __init__(self, word):\n        self.status = STATUS_WIN\n"
    fixed, notes = fix_python(old, new, lambda: {"game", "Hangman"})  # the tests use `game` too
    assert fixed == "STATUS_WIN = 'win'\n\n" + new  # `game = Hangman(...)` above the class would not import
    assert notes == ["hame put back STATUS_WIN from the old file: the new version dropped it, but the code or the "
                     "tests still use it."]


def test_protocol_tags_copied_into_a_file_are_removed() -> None:
    assert strip_echo('<tool_response name="read_file">def f():\n    pass\n</tool_response>\n') == \
        "def f():\n    pass\n"
    assert strip_echo("x = '<tool_response>'\n") == "x = '<tool_response>'\n"


def results_of(r) -> list[str]:
    """The tool results of a run, as the model was shown them (from its transcript)."""
    records = [json.loads(line) for line in Path(json.loads(r.stdout)["transcript"]).read_text().splitlines()]
    return [rec["output"] for rec in records if rec["type"] == "tool_result"]


def test_small_model_profile_adds_the_import_and_says_so(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"geo.py": "def hyp(a, b):\n    pass\n",
                                          "test_geo.py": "from geo import hyp\n\n\ndef test_hyp():\n"
                                                         "    assert hyp(3, 4) == 5\n"})
    code = "def hyp(a, b):\n    return math.sqrt(a * a + b * b)\n"
    replies = [reply(json.dumps({"name": "write_file", "arguments": {"path": "geo.py", "content": code}}))]
    r, srv = run_small_model(hame, tmp_path, ws, replies, "Make test_geo.py pass by fixing geo.py.")
    assert r.returncode == 0, r.stderr
    assert (ws / "geo.py").read_text() == "import math\n\n" + code
    assert "hame added `import math`" in results_of(r)[0] and len(srv.requests) == 1  # it passed: done


def test_a_dropped_exception_class_the_tests_import_is_put_back(tmp_path: Path, hame) -> None:
    stub = "class EmptyError(Exception):\n    pass\n\n\ndef pop(items):\n    pass\n"
    tests = ("import pytest\nfrom stack import EmptyError, pop\n\n\ndef test_pop():\n    assert pop([1]) == 1\n"
             "    with pytest.raises(EmptyError):\n        pop([])\n")
    ws = make_workspace(tmp_path / "ws", {"stack.py": stub, "test_stack.py": tests})
    code = "def pop(items):\n    if not items:\n        raise EmptyError('empty')\n    return items.pop()\n"
    replies = [reply(json.dumps({"name": "write_file", "arguments": {"path": "stack.py", "content": code}}))]
    r, srv = run_small_model(hame, tmp_path, ws, replies, "Make test_stack.py pass by fixing stack.py.")
    assert r.returncode == 0, r.stderr
    assert (ws / "stack.py").read_text() == "class EmptyError(Exception):\n    pass\n\n" + code
    assert "hame put back EmptyError" in results_of(r)[0]


def test_a_fragment_is_refused_before_the_dropped_definitions_could_be_put_back(tmp_path: Path, hame) -> None:
    # the 1.5B answered `obj['code']` as a whole file 16 times in 102 replies; with the definitions put back first,
    # the fragment passed the size guard and replaced a real attempt
    code = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(8))
    tests = "from calc import " + ", ".join(f"f{i}" for i in range(8)) + "\n\n\ndef test_f1():\n    assert f1(1) == 2\n"
    ws = make_workspace(tmp_path / "ws", {"calc.py": code, "test_calc.py": tests})  # all 8 would be put back
    replies = [reply("calc.py\n```\nobj['code']\n```\n"), reply("Done: calc.py already passes.")]
    r, srv = run_small_model(hame, tmp_path, ws, replies, "Check calc.py.", "--tool-protocol", "whole")
    assert r.returncode == 0, r.stderr
    assert (ws / "calc.py").read_text() == code
    assert "Refusing to write" in srv.requests[1]["messages"][-1]["content"]


def test_code_copied_with_a_views_line_numbers_is_read_without_them() -> None:
    copied = ('from math import ceil\n...\n  124  class Bits:\n  125      """Bits. ..."""\n  138      slots = ()\n'
              "  139\n  140      def size(self):\n  141          return 1\n")
    assert strip_line_numbers(copied) == ('from math import ceil\nclass Bits:\n    """Bits. ..."""\n    slots = ()\n'
                                          "\n    def size(self):\n        return 1\n")
    assert strip_line_numbers("rows = [\n    10  ,\n    20  ,\n    30  ,\n]\n") is None  # valid as it is
    assert strip_line_numbers("def f():\n    return 1\n") is None  # no numbers
    assert strip_line_numbers("  1  def f(:\n  2      x\n  3  y\n") is None  # no code without them either
