"""The tool-level rules that make weak models succeed: forgiving edits, destructive-write guard, syntax feedback,
apply_patch."""

from __future__ import annotations

from pathlib import Path

import pytest

from hame.errors import ToolError
from hame.tools import ToolContext
from hame.tools.apply_patch import ApplyPatch
from hame.tools.edit_file import EditFile
from hame.tools.write_file import WriteFile

from ..conftest import make_workspace

BODY = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(12))


def run(tool, ctx: ToolContext, **args) -> str:
    return tool.run(tool.validate(args), ctx)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", {"m.py": BODY, "calc.py": "def add(a, b):\n    return a - b\n"}, git=False)


def test_edit_with_wrong_indentation_is_applied_when_unique(ws: Path) -> None:
    out = run(EditFile(), ToolContext(ws), path="calc.py", old_text="return a - b\n", new_text="return a + b\n")
    assert out.startswith("Edited calc.py")
    assert (ws / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"


def test_emptying_a_file_is_refused_once_then_allowed_when_repeated(ws: Path) -> None:
    ctx = ToolContext(ws)
    with pytest.raises(ToolError, match="empty content.*send exactly the same call again"):
        run(WriteFile(), ctx, path="m.py", content="")
    assert (ws / "m.py").read_text() == BODY
    run(WriteFile(), ctx, path="m.py", content="")
    assert (ws / "m.py").read_text() == ""


def test_placeholder_rewrite_is_refused(ws: Path) -> None:
    with pytest.raises(ToolError):
        run(WriteFile(), ToolContext(ws), path="m.py",
            content="def f0(x):\n    return x\n# ... rest of the code unchanged\n")
    assert (ws / "m.py").read_text() == BODY


def test_new_syntax_error_is_reported_in_the_result(ws: Path) -> None:
    out = run(EditFile(), ToolContext(ws), path="calc.py", old_text="return a - b", new_text="return (a + b")
    assert "syntax errors" in out and "line 2" in out


def test_apply_patch_with_wrong_line_numbers(ws: Path) -> None:
    patch = "--- a/calc.py\n+++ b/calc.py\n@@ -40,2 +40,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n"
    ctx = ToolContext(ws)
    assert run(ApplyPatch(), ctx, patch=patch) == "Patched calc.py."
    assert (ws / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert ctx.files_changed == ["calc.py"]


def test_apply_patch_codex_format_adds_and_deletes(ws: Path) -> None:
    patch = ("*** Begin Patch\n*** Add File: new.py\n+x = 1\n*** Delete File: calc.py\n*** End Patch\n")
    run(ApplyPatch(), ToolContext(ws), patch=patch)
    assert (ws / "new.py").read_text() == "x = 1\n" and not (ws / "calc.py").exists()


def test_failed_hunk_changes_nothing(ws: Path) -> None:
    patch = ("*** Begin Patch\n*** Update File: calc.py\n@@\n-    return a * b\n+    return 0\n*** End Patch\n")
    with pytest.raises(ToolError, match="nothing changed"):
        run(ApplyPatch(), ToolContext(ws), patch=patch)
    assert (ws / "calc.py").read_text() == "def add(a, b):\n    return a - b\n"


def test_new_file_in_invented_directory_named_like_an_existing_file_is_refused_once(ws: Path) -> None:
    ctx = ToolContext(ws)
    with pytest.raises(ToolError, match='use path "calc.py"'):
        run(WriteFile(), ctx, path="src/calc.py", content="def add(a, b):\n    return a + b\n")
    assert not (ws / "src").exists()
    run(WriteFile(), ctx, path="src/calc.py", content="def add(a, b):\n    return a + b\n")
    assert (ws / "src/calc.py").exists()
    run(WriteFile(), ctx, path="pkg/new_module.py", content="x = 1\n")  # no namesake: no question
    assert (ws / "pkg/new_module.py").exists()
