from __future__ import annotations

import pytest

from hame.tools.guards import destructive_write

OLD = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(12))
HALF = OLD[: OLD.index("def f6")]


def test_normal_rewrites_pass() -> None:
    assert destructive_write(OLD, OLD.replace("x + 3", "x - 3")) is None
    assert destructive_write("", "anything") is None
    assert destructive_write("a\nb\n", "c\n") is None  # small files may shrink


def test_emptying_a_file_is_refused() -> None:
    assert "empty content" in (destructive_write(OLD, "\n") or "")


def test_a_sliver_of_a_long_file_is_refused() -> None:
    message = destructive_write(OLD, "def f0(x):\n    return x\n") or ""
    assert "under 20%" in message and "49-line file" in message


@pytest.mark.parametrize("line", [
    "# ... rest of the code unchanged ...",
    "    # ... existing methods ...",
    "// rest of the file stays the same",
    "/* ... */",
    "# ...",
    "[rest of the code unchanged]",
    "<!-- existing content unchanged -->",
])
def test_placeholders_are_refused(line: str) -> None:
    new = HALF + line + "\n"
    assert "placeholder" in (destructive_write(OLD, new) or "")


@pytest.mark.parametrize("line", ["# Loop over the rest...", "    ...", "# other helpers", "# keep x unchanged"])
def test_ordinary_lines_are_not_placeholders(line: str) -> None:
    assert destructive_write(OLD, HALF + line + "\n") is None


def test_a_placeholder_already_in_the_file_is_fine() -> None:
    old = OLD + "# ... rest of the code unchanged ...\n"
    assert destructive_write(old, HALF + "# ... rest of the code unchanged ...\n") is None


def test_a_diff_instead_of_the_file_is_refused() -> None:
    diff = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n-def f0(x):\n+def g0(x):\n" + OLD[:400]
    assert "looks like a diff" in (destructive_write(OLD, diff) or "")
