"""Each core tool on real files: reading, listing, searching, writing, editing, and path confinement."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hame.errors import ToolError
from hame.tools import ToolContext
from hame.tools.edit_file import EditFile
from hame.tools.list_files import ListFiles
from hame.tools.read_file import ReadFile
from hame.tools.search import Search
from hame.tools.write_file import WriteFile

from ..conftest import make_workspace


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", {
        "calc.py": "def add(a, b):\n    return a - b\n",
        "pkg/mod.py": "".join(f"line {i}\n" for i in range(1, 1001)),
        "node_modules/x/index.js": "ignored\n",
        ".gitignore": "secret.log\n",
        "secret.log": "hidden\n",
        "blob.bin": "",
    })


def run(tool, ctx: ToolContext, **args) -> str:
    return tool.run(tool.validate(args), ctx)


def test_read_file_numbers_lines_and_says_when_more(ws: Path) -> None:
    ctx = ToolContext(ws)
    out = run(ReadFile(), ctx, path="pkg/mod.py", offset=10, limit=3)
    assert out.splitlines()[:3] == ["10\tline 10", "11\tline 11", "12\tline 12"]
    assert "[lines 10-12 of 1000; next: offset=13]" in out


def test_read_file_binary_missing_and_directory(ws: Path) -> None:
    (ws / "blob.bin").write_bytes(b"\x00\x01\x02" * 10)
    ctx = ToolContext(ws)
    assert "binary file" in run(ReadFile(), ctx, path="blob.bin")
    with pytest.raises(ToolError, match="No such file.*Did you mean: calc.py"):
        run(ReadFile(), ctx, path="calc.pyy")
    with pytest.raises(ToolError, match="is a directory; use list_files"):
        run(ReadFile(), ctx, path="pkg")


def test_reread_of_unchanged_file_is_deduplicated_and_change_shows_new_text(ws: Path) -> None:
    ctx = ToolContext(ws)
    first = run(ReadFile(), ctx, path="calc.py")
    assert "return a - b" in first
    ctx.step = 5
    again = run(ReadFile(), ctx, path="calc.py")
    assert "Unchanged since you read it at step 0" in again and "return" not in again
    (ws / "calc.py").write_text("def add(a, b):\n    return a + b  # changed\n")
    assert "changed" in run(ReadFile(), ctx, path="calc.py")


@pytest.mark.parametrize("bad", ["../outside.txt", "/etc/passwd", "pkg/../../outside.txt", "link/passwd"])
def test_paths_outside_the_workspace_are_refused(ws: Path, bad: str) -> None:
    (ws.parent / "outside.txt").write_text("secret\n")
    os.symlink("/etc", ws / "link")
    ctx = ToolContext(ws)
    with pytest.raises(ToolError, match="outside the workspace"):
        run(ReadFile(), ctx, path=bad)
    with pytest.raises(ToolError, match="outside the workspace"):
        run(WriteFile(), ctx, path=bad, content="x")


def test_symlink_file_leading_out_is_refused_for_writes(ws: Path, tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("keep\n")
    os.symlink(target, ws / "innocent.txt")
    with pytest.raises(ToolError, match="outside the workspace"):
        run(WriteFile(), ToolContext(ws), path="innocent.txt", content="overwritten")
    assert target.read_text() == "keep\n"


def test_list_files_skips_vendor_git_and_ignored(ws: Path) -> None:
    out = run(ListFiles(), ToolContext(ws))
    assert "calc.py" in out and "pkg/mod.py" in out
    assert "node_modules" not in out and "secret.log" not in out and ".git/" not in out


def test_list_files_depth_collapses_deep_dirs(ws: Path) -> None:
    (ws / "a/b/c").mkdir(parents=True)
    (ws / "a/b/c/deep.py").write_text("x\n")
    out = run(ListFiles(), ToolContext(ws), depth=1)
    assert "a/  (1 files)" in out and "deep.py" not in out


def test_search_finds_matches_with_line_numbers_and_caps(ws: Path) -> None:
    ctx = ToolContext(ws)
    out = run(Search(), ctx, pattern="return a")
    assert out.splitlines() == ["calc.py", "2:    return a - b"]
    many = run(Search(), ctx, pattern="line", path="pkg")
    assert many.splitlines()[:2] == ["pkg/mod.py", "1:line 1"]
    assert many.endswith("[940 more matches not shown; narrow the pattern, path or glob]")
    assert len(many.splitlines()) == 62
    assert "No matches" in run(Search(), ctx, pattern="zzz_nothing")
    assert "2:" in run(Search(), ctx, pattern="return", glob="*.py")


def test_search_bad_regex_is_a_clear_error(ws: Path) -> None:
    with pytest.raises(ToolError, match="search failed"):
        run(Search(), ToolContext(ws), pattern="(unclosed")


def test_write_file_creates_dirs_and_records_change(ws: Path) -> None:
    ctx = ToolContext(ws)
    assert run(WriteFile(), ctx, path="new/dir/f.txt", content="a\nb\n") == "Created new/dir/f.txt (2 lines)."
    assert (ws / "new/dir/f.txt").read_text() == "a\nb\n"
    assert ctx.files_changed == ["new/dir/f.txt"]


def test_edit_file_exact_match(ws: Path) -> None:
    ctx = ToolContext(ws)
    out = run(EditFile(), ctx, path="calc.py", old_text="return a - b", new_text="return a + b")
    assert out == "Edited calc.py."
    assert (ws / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"


def test_edit_file_no_match_and_several_matches_name_what_was_found(ws: Path) -> None:
    (ws / "dup.py").write_text("x = 1\ny = 2\nx = 1\n")
    ctx = ToolContext(ws)
    with pytest.raises(ToolError, match=r"(?i)2 (matches|places|occurrences)"):
        run(EditFile(), ctx, path="dup.py", old_text="x = 1", new_text="x = 3")
    with pytest.raises(ToolError):
        run(EditFile(), ctx, path="dup.py", old_text="zzz = 9", new_text="q")
    assert (ws / "dup.py").read_text() == "x = 1\ny = 2\nx = 1\n"
    run(EditFile(), ctx, path="dup.py", old_text="x = 1", new_text="x = 3", replace_all=True)
    assert (ws / "dup.py").read_text() == "x = 3\ny = 2\nx = 3\n"


def test_edit_refused_when_file_changed_since_read(ws: Path) -> None:
    ctx = ToolContext(ws)
    run(ReadFile(), ctx, path="calc.py")
    (ws / "calc.py").write_text("def add(a, b):\n    return b - a\n")
    with pytest.raises(ToolError, match="changed on disk since you last read it"):
        run(EditFile(), ctx, path="calc.py", old_text="return b - a", new_text="return a + b")


def test_bad_arguments_are_a_clear_error_not_a_crash(ws: Path) -> None:
    with pytest.raises(ToolError, match=r"Invalid arguments for read_file: path: Field required.*read_file\(path"):
        ReadFile().validate({"offset": 3})
    with pytest.raises(ToolError, match="offset"):
        ReadFile().validate({"path": "a", "offset": "abc"})
    with pytest.raises(ToolError, match="must be a JSON object"):
        ReadFile().validate(None)
