"""The write_repairs tactic through the seam: write_file repairs a whole-file write's certain mistakes and says so
in its result; without the tactic the same write lands as sent."""

from __future__ import annotations

from pathlib import Path

from ..conftest import make_workspace
from .seam import started, write

OLD = ("class InvalidSideError(ValueError):\n    pass\n\n\n"
       "def area(a, b, c):\n    return 0\n")
TESTS = ("from triangle import InvalidSideError, area\n\n\n"
         "def test_bad():\n    try:\n        area(1, 1, 5)\n    except InvalidSideError:\n        pass\n")
NEW = ("def area(a, b, c):\n    if a + b <= c:\n        raise InvalidSideError('no triangle')\n"
       "    s = (a + b + c) / 2\n    return math.sqrt(s * (s - a) * (s - b) * (s - c))\n")


def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", {"triangle.py": OLD, "test_triangle.py": TESTS}, git=False)


def test_a_dropped_definition_still_used_is_put_back_and_a_missing_import_added(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    state, _ = started(["write_repairs"], ws)
    out = write(state, "triangle.py", NEW)
    text = (ws / "triangle.py").read_text()
    assert text.startswith("import math\n") and "class InvalidSideError(ValueError):\n    pass\n" in text
    assert text.index("class InvalidSideError") < text.index("def area") and NEW in text
    compile(text, "triangle.py", "exec")
    assert ("hame put back InvalidSideError from the old file: the new version dropped it, but the code or the tests "
            "still use it.") in out
    assert "hame added `import math` at the top: the code uses math without importing it." in out


def test_tool_response_tags_copied_into_the_file_are_removed(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    state, _ = started(["write_repairs"], ws)
    out = write(state, "notes.txt", '<tool_response name="read_file">\nhello\n</tool_response>\n')
    assert (ws / "notes.txt").read_text() == "hello\n"
    assert "hame removed the <tool_response> tags you copied into the file." in out


def test_a_definition_nothing_uses_stays_dropped_and_a_clean_write_gets_no_note(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {"triangle.py": OLD + "\n\ndef unused():\n    return 1\n"}, git=False)
    state, _ = started(["write_repairs"], ws)
    clean = "import math\n\n\nclass InvalidSideError(ValueError):\n    pass\n\n\n" + NEW
    out = write(state, "triangle.py", clean)
    assert (ws / "triangle.py").read_text() == clean and "hame" not in out


def test_unlisted_the_write_lands_as_sent(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    state, _ = started([], ws)
    out = write(state, "triangle.py", NEW)
    assert (ws / "triangle.py").read_text() == NEW and "hame" not in out
    assert state.ctx.write_fixes == []
