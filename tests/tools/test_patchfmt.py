from __future__ import annotations

from hame.tools.patchfmt import apply_patch

FILES = {
    "a.py": "def f(a):\n    if a:\n        return 1\n    return 2\n\n\ndef g():\n    return 2\n",
    "w.txt": "x\r\ny\r\n",
}


def run(patch: str, files: dict[str, str] | None = None):
    return apply_patch((files or FILES).get, patch)


def test_unified_diff_in_a_fence_with_prose() -> None:
    patch = ("Here is the fix:\n```diff\n--- a/a.py\n+++ b/a.py\n@@ -7,2 +7,2 @@\n def g():\n-    return 2\n"
             "+    return 3\n```\nThat should do it.\n")
    outcome = run(patch)
    assert outcome.ok, outcome.errors
    assert outcome.files == {"a.py": FILES["a.py"].replace("    return 2\n", "    return 3\n", 2)
                             .replace("    return 3\n", "    return 2\n", 1)}


def test_wrong_and_missing_line_numbers_are_tolerated() -> None:
    for header in ("@@ -40,2 +40,2 @@", "@@", "@@ @@"):
        patch = f"--- a/a.py\n+++ b/a.py\n{header}\n def g():\n-    return 2\n+    return 3\n"
        assert run(patch).files["a.py"].endswith("def g():\n    return 3\n"), header


def test_line_number_picks_the_nearest_of_several_matches() -> None:
    near_end = run("--- a/a.py\n+++ b/a.py\n@@ -8,1 +8,1 @@\n-    return 2\n+    return 9\n")
    near_start = run("--- a/a.py\n+++ b/a.py\n@@ -3,1 +3,1 @@\n-    return 2\n+    return 9\n")
    assert near_end.files["a.py"].endswith("    return 9\n")
    assert "        return 1\n    return 9\n" in near_start.files["a.py"]


def test_ambiguous_hunk_without_hints_is_refused() -> None:
    outcome = run("--- a/a.py\n+++ b/a.py\n@@\n-    return 2\n+    return 9\n")
    assert not outcome.ok and outcome.files == {}
    assert outcome.errors == ["a.py: hunk 1 (@@): its context matches 2 places (lines 4, 8); add more unchanged "
                              "context lines, or an @@ line naming the enclosing function or class"]


def test_codex_patch_update_add_delete() -> None:
    patch = ("*** Begin Patch\n*** Update File: a.py\n@@ def g():\n-    return 2\n+    return 4\n"
             "*** Add File: c.py\n+print(1)\n*** Delete File: w.txt\n*** End Patch\n")
    outcome = run(patch)
    assert outcome.ok
    assert outcome.files["a.py"].endswith("def g():\n    return 4\n")
    assert outcome.files["c.py"] == "print(1)\n"
    assert outcome.files["w.txt"] is None


def test_codex_move_and_end_of_file() -> None:
    patch = ("*** Begin Patch\n*** Update File: a.py\n*** Move to: b.py\n@@\n-    return 2\n+    return 5\n"
             "*** End of File\n*** End Patch")
    outcome = run(patch)
    assert outcome.files["a.py"] is None
    assert outcome.files["b.py"].endswith("    return 5\n")


def test_hunks_with_fuzzy_context_are_reindented() -> None:
    patch = "--- a/a.py\n+++ b/a.py\n@@ -1,3 +1,3 @@\n def f(a):\n-  if a:\n+  if not a:\n     return 1\n"
    assert run(patch).files["a.py"].startswith("def f(a):\n    if not a:\n        return 1\n")


def test_several_hunks_shift_later_line_numbers() -> None:
    patch = ("--- a/a.py\n+++ b/a.py\n@@ -1,1 +1,2 @@\n+import os\n def f(a):\n"
             "@@ -8,1 +9,1 @@\n-    return 2\n+    return 7\n")
    text = run(patch).files["a.py"]
    assert text.startswith("import os\ndef f(a):\n") and text.endswith("    return 7\n")
    assert text.count("return 2") == 1


def test_crlf_file_stays_crlf() -> None:
    outcome = run("--- a/w.txt\n+++ b/w.txt\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n")
    assert outcome.files == {"w.txt": "x\r\nz\r\n"}


def test_new_and_deleted_files_in_unified_form() -> None:
    patch = ("--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+a = 1\n+b = 2\n"
             "--- a/w.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n")
    assert run(patch).files == {"new.py": "a = 1\nb = 2\n", "w.txt": None}


def test_missing_context_names_the_closest_lines() -> None:
    outcome = run("--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n def f(a):\n-    if b:\n+    if c:\n")
    assert not outcome.ok
    assert "hunk 1 (@@ -1 +1 @@): its context and removed lines were not found" in outcome.errors[0]
    assert "1\tdef f(a):\n2\t    if a:" in outcome.errors[0]


def test_one_error_per_failed_hunk_and_per_file() -> None:
    patch = ("*** Begin Patch\n*** Update File: a.py\n@@\n-nothing here\n+x\n@@\n-nor here\n+y\n"
             "*** Update File: missing.py\n@@\n-a\n+b\n*** Add File: a.py\n+z\n*** End Patch")
    errors = run(patch).errors
    assert len(errors) == 3
    assert "hunk 1" in errors[0] and "hunk 2" in errors[0]
    assert errors[1].startswith("missing.py: no such file")
    assert errors[2].startswith("a.py: already exists")


def test_not_a_patch() -> None:
    outcome = run("Please change return 2 to return 3.")
    assert not outcome.ok and "no patch found" in outcome.errors[0]


def test_lines_without_prefix_are_context_and_trailing_prose_is_dropped() -> None:
    patch = "--- a/a.py\n+++ b/a.py\n@@\ndef g():\n-    return 2\n+    return 3\nThis changes g.\n"
    assert run(patch).files["a.py"].endswith("def g():\n    return 3\n")


def test_additions_only_hunk_goes_after_its_anchor_or_line() -> None:
    by_anchor = run("*** Begin Patch\n*** Update File: a.py\n@@ def g():\n+    \"\"\"G.\"\"\"\n*** End Patch")
    by_line = run("--- a/a.py\n+++ b/a.py\n@@ -0,0 +1,1 @@\n+# top\n")
    assert 'def g():\n    """G."""\n    return 2\n' in by_anchor.files["a.py"]
    assert by_line.files["a.py"].startswith("# top\ndef f(a):\n")
