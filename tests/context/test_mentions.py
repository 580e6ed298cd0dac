"""Files named in a task are attached to it for a small model: tests first, the file to change last, then the
task itself, so the request and the code to change are what the model reads last."""

from __future__ import annotations

from pathlib import Path

from hame.context.mentions import attach, mentioned_files


def test_named_text_files_inside_the_workspace_are_found(tmp_path: Path) -> None:
    (tmp_path / "leap.py").write_text("def leap_year(y):\n    pass\n")
    (tmp_path / "leap_test.py").write_text("from leap import leap_year\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01")
    task = "Fix leap.py so leap_test.py passes; see ../secret.py, blob.bin and missing.py."
    (tmp_path.parent / "secret.py").write_text("x = 1\n")
    assert [rel for rel, _ in mentioned_files(task, tmp_path)] == ["leap.py", "leap_test.py"]


def test_tests_come_first_the_file_to_change_last_then_the_task() -> None:
    files = [("leap.py", "def leap_year(y):\n    pass\n"), ("leap_test.py", "import leap")]
    text = attach("Fix leap.py.", files, targets=["leap.py"])
    assert text.index("## leap_test.py") < text.index("## leap.py") < text.index("# Task\nFix leap.py.")
    assert "```\nimport leap\n```" in text  # a missing final newline is added inside the block
    assert attach("Just a question.", []) == "Just a question."
