"""show_definition on a real multi-file repository: by qualified or plain name, with its class header and the
module's imports; a miss is an instruction with the closest names; an optional tool a profile must ask for."""

from __future__ import annotations

from pathlib import Path

import pytest

from hame.errors import ToolError
from hame.tools import default_tools
from hame.tools.base import ToolContext
from hame.tools.show_definition import MAX_LINES, ShowDefinition

from ..conftest import make_workspace

MODULE = (
    "import os\n\n\n"
    "class Table:\n"
    "    def __init__(self, rows):\n"
    "        self.rows = rows\n\n"
    "    @property\n"
    "    def width(self):\n"
    "        return max(len(r) for r in self.rows)\n\n"
    "    def to_text(self):\n"
    "        return os.linesep.join(map(str, self.rows))\n\n\n"
    "def to_text(obj):\n"
    "    return str(obj)\n"
)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", {"pkg/table.py": MODULE, "pkg/other.py": "def helper():\n    pass\n"})


def show(ws: Path, **args: object) -> str:
    tool = ShowDefinition()
    return tool.run(tool.validate(args), ToolContext(workspace=ws))


def test_a_method_by_qualified_name_with_class_header_and_imports(ws: Path) -> None:
    text = show(ws, symbol="Table.to_text")
    assert text.splitlines()[0] == "## pkg/table.py :: Table.to_text (lines 12-13)"
    assert "import os" in text and "    4  class Table:" in text
    assert "   13          return os.linesep.join(map(str, self.rows))" in text
    assert "self.rows = rows" not in text  # not the rest of the class


def test_decorators_are_shown_with_the_definition(ws: Path) -> None:
    assert "    8      @property\n    9      def width(self):" in show(ws, symbol="width", path="pkg/table.py")


def test_a_plain_name_shows_every_match(ws: Path) -> None:
    text = show(ws, symbol="to_text")
    assert "Table.to_text (lines 12-13)" in text and "pkg/table.py :: to_text (lines 16-17)" in text


def test_a_miss_names_the_closest_definitions(ws: Path) -> None:
    with pytest.raises(ToolError, match=r"No definition named 'Table.to_txt' in the workspace\. Closest: "
                                        r"Table.to_text"):
        show(ws, symbol="Table.to_txt")
    with pytest.raises(ToolError, match="No such file: 'pkg/nope.py'"):
        show(ws, symbol="helper", path="pkg/nope.py")


def test_a_long_class_is_an_outline(ws: Path) -> None:
    methods = "".join(f"    def m{i}(self):\n" + "        x = 1\n" * 5 for i in range(MAX_LINES // 5))
    (ws / "pkg/big.py").write_text("class Big:\n    '''Many methods.'''\n" + methods)
    text = show(ws, symbol="Big")
    assert "outline" in text.splitlines()[0] and "def m0(self):" in text and "x = 1" not in text


def test_the_tool_is_offered_only_when_included() -> None:
    assert "show_definition" not in [t.name for t in default_tools()]
    assert "show_definition" in [t.name for t in default_tools(include=("show_definition",))]
