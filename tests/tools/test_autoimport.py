"""Missing standard-library imports: found from the code's own names, added after the docstring, reported."""

from __future__ import annotations

import json
from pathlib import Path

from hame.tools.autoimport import add_imports, missing_imports

from ..conftest import make_workspace
from ..fakes.openai_server import FakeOpenAI, reply


def test_modules_used_but_never_imported_or_bound_are_found() -> None:
    code = ("import os\nfrom collections import deque as dq\n\n"
            "def f(x, re):\n    return math.sqrt(x) + os.sep + re.escape(x) + itertools.count(1) + dq()\n\n"
            "def g(string):\n    json = {}\n    return string.upper(), json.get(1), math.pi\n")
    assert missing_imports(code) == ["math", "itertools"]  # re is a parameter, json a local, string an argument
    assert missing_imports("import math\nprint(math.pi)\n") == []
    assert missing_imports("def broken(:\n    math.pi\n") == []  # the syntax check reports that instead
    assert missing_imports("class A:\n    def f(self):\n        return self.math.pi\n") == []
    assert missing_imports("random = Random()\nrandom.choice([1])\n") == []


def test_imports_go_after_the_docstring_and_future_imports() -> None:
    assert add_imports('"""Doc."""\nfrom __future__ import annotations\n\n\ndef f():\n    return math.pi\n',
                       ["math"]) == ('"""Doc."""\nfrom __future__ import annotations\nimport math\n\n\n'
                                     'def f():\n    return math.pi\n')
    assert add_imports("def f():\n    return math.pi\n", ["math", "re"]) == (
        "import math\nimport re\n\ndef f():\n    return math.pi\n")
    assert add_imports("#!/usr/bin/env python\nimport os\nx = math.pi\n", ["math"]) == (
        "#!/usr/bin/env python\nimport math\nimport os\nx = math.pi\n")


def test_small_model_profile_adds_the_import_and_says_so(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"geo.py": "def hyp(a, b):\n    pass\n",
                                          "test_geo.py": "from geo import hyp\n\n\ndef test_hyp():\n"
                                                         "    assert hyp(3, 4) == 5\n"})
    (tmp_path / "xdg" / "hame").mkdir(parents=True)
    code = "def hyp(a, b):\n    return math.sqrt(a * a + b * b)\n"
    with FakeOpenAI([reply(json.dumps({"name": "write_file", "arguments": {"path": "geo.py", "content": code}})),
                     reply(json.dumps({"name": "final_answer", "arguments": {"text": "done"}}))]) as srv:
        (tmp_path / "xdg" / "hame" / "config.toml").write_text(
            f'[models.tiny]\nprovider = "openai"\nmodel = "q"\nbase_url = "{srv.url}"\nprofile = "small-local"\n')
        r = hame("-p", "Make test_geo.py pass by fixing geo.py.", "--cwd", str(ws), "--model", "tiny",
                 "--api-key", "k", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    assert (ws / "geo.py").read_text() == "import math\n\n" + code
    result = srv.requests[1]["messages"][-1]["content"]
    assert "hame added `import math`" in result and "exit code 0" in result
