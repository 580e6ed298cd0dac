"""The repository path (`localize`, `definition_edits`) end to end: a library package with a bug in one function of a
long module and a task that names no file. The first request shows the localized definition, not the file; the
reply's definition is spliced in and everything else stays byte for byte; a fragment over the module is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.sandbox.command import bwrap_available
from hame.tools.guards import destructive_write

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply

BUGGY = ('def truncate(text, width, tail="..."):\n'
         '    """`text` cut to at most `width` characters, ending with `tail` when it was cut."""\n'
         '    if len(text) <= width:\n'
         '        return text\n'
         '    return text[:width - len(tail) - 1] + tail\n')
FIXED = ('def truncate(text, width, tail="..."):\n'
         '    """`text` cut to at most `width` characters, ending with `tail` when it was cut."""\n'
         '    if len(text) <= width:\n'
         '        return text\n'
         '    return text[:width - len(tail)] + tail\n')


def helpers(n: int) -> str:
    """Filler that a real module has: many small definitions the fix must leave alone."""
    return "".join(f'def pad_{i}(text):\n    """`text` padded with {i} spaces on the left."""\n'
                   f'    return " " * {i} + text\n\n\n' for i in range(n))


CORE = ('"""Text helpers."""\n\nimport re\n\n\n' + helpers(40)
        + 'class Wrapper:\n    """Wraps text at a width."""\n\n    def __init__(self, width):\n'
          '        self.width = width\n\n    def wrap(self, text):\n'
          '        return [text[i:i + self.width] for i in range(0, len(text), self.width)]\n\n\n'
        + BUGGY + '\n\ndef slug(text):\n    """Lower case words joined by dashes."""\n'
                  '    return "-".join(re.findall(r"\\w+", text.lower()))\n\n\n'
        + helpers(60)[:-2].replace("pad_", "lpad_"))
TESTS = ("from textkit.core import slug, truncate\n\n\n"
         "def test_truncate_keeps_short_text():\n    assert truncate('abc', 5) == 'abc'\n\n\n"
         "def test_truncate_cuts_to_the_width():\n    assert truncate('abcdefghij', 6) == 'abc...'\n\n\n"
         "def test_slug():\n    assert slug('Hello World') == 'hello-world'\n")
REPO = {"textkit/__init__.py": '"""textkit."""\n', "textkit/core.py": CORE,
        "textkit/numbers.py": "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n",
        "tests/__init__.py": "", "tests/test_core.py": TESTS, "README.md": "# textkit\n"}
TASK = ("truncate returns text shorter than the width: truncate('abcdefghij', 6) gives 'ab...' instead of "
        "'abc...'. Fix it.")
CHECK = "python -m pytest -q tests/test_core.py"


def first_user(body: dict) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def test_the_localized_definition_is_shown_and_the_reply_spliced(tmp_path: Path, hame) -> None:
    assert CORE.count("\n") > 300
    ws = make_workspace(tmp_path / "ws", REPO)
    fix = reply(f"textkit/core.py\n```python\n{FIXED}```\n")
    r, srv = run_small_model(hame, tmp_path, ws, [fix], TASK, "--check", CHECK, profile="tiny-local")
    out = json.loads(r.stdout)
    first = first_user(srv.requests[0])
    assert "## textkit/core.py :: truncate" in first and "return text[:width - len(tail) - 1] + tail" in first
    assert "def lpad_" not in first and len(first) < len(CORE) / 3  # the best ranked definitions, not the file
    assert f"Left out: the rest of textkit/core.py ({CORE.count(chr(10)) + 1:,} lines)" in first
    assert "then one fenced block holding only the definitions you change" in first
    assert first.index("# Task\n" + TASK) > first.index("def truncate")
    system = srv.requests[0]["messages"][0]["content"]
    assert "textkit/core.py" in system and "app.py" not in system  # the protocol's example is the localized file
    assert "# Repo map" not in system  # the view shows the code the task is about; the map would be noise
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)  # the rest byte for byte
    assert out["stop_reason"] == "completed"
    assert out["result"] == f"Changed textkit/core.py; the check `{CHECK}` passes."
    assert len(srv.requests) == 1 and not (ws / "app.py").exists()


def test_a_small_model_on_any_server_gets_the_one_token_edits_first(tmp_path: Path, hame) -> None:
    """fill_in without fill-in-the-middle (an OpenAI-compatible server): the edits still run, and the off-by-one is
    fixed by one of them before the model is asked anything."""
    ws = make_workspace(tmp_path / "ws", REPO)
    r, srv = run_small_model(hame, tmp_path, ws, [reply("I cannot fix it.")], TASK, "--check", CHECK,
                             profile="tiny-local", env={"HAME_TACTICS": ""})
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and out["check"]["passed"] and srv.requests == []
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)  # the rest byte for byte
    assert "`- 1` dropped" in out["result"]


def test_a_fragment_over_the_module_is_refused_with_the_definition_level_way(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", REPO)
    fragment = reply("textkit/core.py\n```python\n    return text[:width - len(tail)] + tail\n```\n")
    fix = reply(f"textkit/core.py\n```python\n{FIXED}```\n")
    r, srv = run_small_model(hame, tmp_path, ws, [fragment, fragment, fix], TASK, "--check", CHECK,
                             profile="tiny-local")
    refusals = [m["content"] for body in srv.requests[1:] for m in body["messages"] if m["role"] == "user"
                and "Refused: textkit/core.py has" in (m["content"] or "")]
    assert refusals, [first_user(b) for b in srv.requests]
    assert "Send only the functions, classes or methods you change" in refusals[0]
    assert "textkit/core.py on one line, then one fenced block holding them" in refusals[0]
    assert all("edit_file" not in text for text in refusals)
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)  # the repeat was refused too
    assert json.loads(r.stdout)["stop_reason"] == "completed"


def test_a_one_file_exercise_is_left_as_it_was(tmp_path: Path, hame) -> None:
    files = {"greet.py": "def greet(name):\n    return 'Hello ' + name\n",
             "test_greet.py": "from greet import greet\n\n\ndef test_greet():\n"
                              "    assert greet('Bo') == 'Hello, Bo!'\n"}
    ws = make_workspace(tmp_path / "ws", files)
    fixed = reply("greet.py\n```python\ndef greet(name):\n    return f'Hello, {name}!'\n```\n")
    r, srv = run_small_model(hame, tmp_path, ws, [fixed], "Make the tests pass.", "--check",
                             "python -m pytest -q test_greet.py", profile="tiny-local")
    assert json.loads(r.stdout)["stop_reason"] == "completed"
    first = first_user(srv.requests[0])
    assert first == "Make the tests pass." and "app.py" in srv.requests[0]["messages"][0]["content"]


def test_the_guard_names_edit_file_only_where_it_is_offered() -> None:
    old = "".join(f"line {i}\n" for i in range(40))
    assert "edit_file" in (destructive_write(old, "x\n") or "")
    advice = destructive_write(old, "x\n", can_edit=False) or ""
    assert advice.startswith("Refusing to write") and "edit_file" not in advice
    assert "edit_file" not in (destructive_write(old, "", can_edit=False) or "edit_file")


SLUG = ('def slug(text):\n    """Lower case words joined by dashes."""\n'
        '    return "-".join(re.findall(r"\\w+", text.lower()))\n')


def test_a_change_that_breaks_another_test_of_the_file_is_not_a_fix(tmp_path: Path, hame) -> None:
    assert SLUG in CORE
    ws = make_workspace(tmp_path / "ws", REPO)
    breaks = reply(f"textkit/core.py\n```python\n{FIXED}\n\ndef slug(text):\n    return text\n```\n")
    fix = reply(f"textkit/core.py\n```python\n{FIXED}\n\n{SLUG}```\n")
    r, srv = run_small_model(hame, tmp_path, ws, [breaks, fix], TASK, "--check", CHECK, profile="tiny-local")
    assert len(srv.requests) == 2, r.stderr
    note = srv.requests[1]["messages"][-1]["content"]  # the restart from the task, with what failed
    assert "test_slug" in note and "Send a new version of only the definitions of textkit/core.py" in note
    assert note.endswith("Reply with textkit/core.py on one line, then one fenced block holding only those "
                         "definitions.")
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)
    assert json.loads(r.stdout)["stop_reason"] == "completed"


def test_a_named_file_too_large_to_attach_is_localized_and_said_so(tmp_path: Path, hame) -> None:
    big = CORE + "\n\n" + helpers(120)[:-2].replace("pad_", "rpad_")
    assert len(big) > 16000
    ws = make_workspace(tmp_path / "ws", {**REPO, "textkit/core.py": big})
    task = "In textkit/core.py, " + TASK
    fix = reply(f"textkit/core.py\n```python\n{FIXED}```\n")
    r, srv = run_small_model(hame, tmp_path, ws, [fix], task, "--check", CHECK, profile="tiny-local")
    first = first_user(srv.requests[0])
    assert "# Files named in the task but not attached" in first and "textkit/core.py (" in first
    assert "## textkit/core.py :: truncate" in first and first.count("# Task\n") == 1
    assert (ws / "textkit" / "core.py").read_text() == big.replace(BUGGY, FIXED)
    assert json.loads(r.stdout)["stop_reason"] == "completed"


def test_a_named_test_file_whose_failing_tests_are_shown_is_not_attached_whole(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", REPO)
    task = TASK + " The tests are in tests/test_core.py."
    fix = reply(f"textkit/core.py\n```python\n{FIXED}```\n")
    r, srv = run_small_model(hame, tmp_path, ws, [fix], task, "--check", CHECK, profile="tiny-local")
    first = first_user(srv.requests[0])
    assert "## tests/test_core.py :: test_truncate_cuts_to_the_width (failing)" in first
    assert "## tests/test_core.py\n```" not in first and "def test_slug():" not in first  # not the whole file
    assert ("# Test files named in the task but not attached\nTheir failing tests are shown above: "
            f"tests/test_core.py ({len(TESTS):,} characters).\n\n# Task\n{task}") in first
    assert first.count("# Task\n") == 1 and (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)
    assert json.loads(r.stdout)["stop_reason"] == "completed"


def test_the_system_prompt_asks_for_definitions_in_a_repository_only(tmp_path: Path, hame) -> None:
    fix = reply(f"textkit/core.py\n```python\n{FIXED}```\n")
    ws = make_workspace(tmp_path / "ws", REPO)
    _, srv = run_small_model(hame, tmp_path, ws, [fix], TASK, "--check", CHECK, profile="tiny-local")
    system = srv.requests[0]["messages"][0]["content"]
    assert ("2. Write the changed functions, classes or methods of a file, each complete but without docstrings, "
            "as its path") in system
    assert "only the functions, classes or methods of textkit/core.py you change, each complete" in system
    assert "whole corrected file" not in system and "every line, not only the changed part" not in system
    files = {"greet.py": "def greet(name):\n    return 'Hello ' + name\n"}
    one = make_workspace(tmp_path / "one", files)
    _, srv = run_small_model(hame, tmp_path, one, [reply("Done.")], "Tidy greet.py.", profile="tiny-local")
    system = srv.requests[0]["messages"][0]["content"]
    assert "2. Write the complete new content of the file to change as its path" in system
    assert "the whole new content of greet.py: every line, not only the changed part" in system


@pytest.mark.parametrize("plain", ["0", ""])  # a noted restart, and a plain retry (the profile's default)
def test_a_restart_puts_back_what_the_failed_attempt_changed(tmp_path: Path, hame, plain: str) -> None:
    ws = make_workspace(tmp_path / "ws", REPO)
    breaks = reply("textkit/core.py\n```python\ndef slug(text):\n    return text\n```\n")  # wrong and harmful
    fix = reply(f"textkit/core.py\n```python\n{FIXED}```\n")  # the next attempt changes only truncate
    r, srv = run_small_model(hame, tmp_path, ws, [breaks, fix], TASK, "--check", CHECK, profile="tiny-local",
                             env={"HAME_PLAIN_RETRIES": plain})
    assert len(srv.requests) == 2, r.stderr
    # the broken slug was put back before the restart, so the fix of truncate alone passes the whole file
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)
    assert json.loads(r.stdout)["stop_reason"] == "completed"
    second = srv.requests[1]["messages"]
    assert ("Send a new version of only the definitions" in second[-1]["content"]) is (plain == "0")


def test_a_run_that_stops_after_a_failed_change_leaves_no_worse_code(tmp_path: Path, hame) -> None:
    """A change that makes no fewer tests fail is put back as soon as its check fails, not at the next restart: a
    run stopped then (the step limit, a bench's time limit) leaves the module as it was, not broken."""
    ws = make_workspace(tmp_path / "ws", REPO)
    breaks = reply("textkit/core.py\n```python\ndef slug(text):\n    return text\n```\n")  # 2 failing, not 1
    r, _ = run_small_model(hame, tmp_path, ws, [breaks], TASK, "--check", CHECK, "--max-steps", "1",
                           profile="tiny-local")
    assert json.loads(r.stdout)["stop_reason"] == "max_steps"
    assert "put back as they were: textkit/core.py (the change made no fewer tests fail and no more pass" in r.stderr
    assert (ws / "textkit" / "core.py").read_text() == CORE


def test_a_change_that_makes_a_test_file_import_again_is_kept_though_tests_still_fail(tmp_path: Path, hame) -> None:
    """Before any change the test file did not import (a name it tests does not exist yet): a change adding the
    name makes tests pass that could not run before, so it is progress, not put back, though one test still fails."""
    tests = TESTS.replace("import slug, truncate", "import slug, truncate, title") + \
        "\n\ndef test_title():\n    assert title('a b') == 'A B'\n"
    ws = make_workspace(tmp_path / "ws", {**REPO, "tests/test_core.py": tests})
    adds = reply("textkit/core.py\n```python\ndef title(text):\n    return text.title()\n```\n")
    r, _ = run_small_model(hame, tmp_path, ws, [adds], TASK, "--check", CHECK, "--max-steps", "1",
                           profile="tiny-local")
    assert "check `python -m pytest -q tests/test_core.py`: failed" in r.stderr  # truncate's bug is still there
    assert "put back" not in r.stderr
    assert (ws / "textkit" / "core.py").read_text().endswith("def title(text):\n    return text.title()\n")


UNITTESTS = ("import unittest\n\nfrom textkit.core import slug, truncate\n\n\n"
             "class CoreTest(unittest.TestCase):\n"
             "    def test_truncate_keeps_short_text(self):\n        self.assertEqual(truncate('abc', 5), 'abc')\n\n"
             "    def test_truncate_cuts_to_the_width(self):\n"
             "        self.assertEqual(truncate('abcdefghij', 6), 'abc...')\n\n"
             "    def test_slug(self):\n        self.assertEqual(slug('Hello World'), 'hello-world')\n")


TITLE = UNITTESTS.replace("import slug, truncate", "import slug, title, truncate") + \
    "\n    def test_title(self):\n        self.assertEqual(title('a b'), 'A B')\n"


@pytest.mark.parametrize("tests, change, kept", [
    (UNITTESTS, "def slug(text):\n    return text\n", False),  # 2 failing, not 1
    (UNITTESTS, "def slug(text):\n    return '-'.join(text.lower().split())\n", False),  # the same 1 failing
    (TITLE, "def title(text):\n    return text.title()\n", True)])  # the file imports again: 3 pass, 1 fails
def test_a_unittest_check_counts_failing_tests_like_pytest(tmp_path: Path, hame, tests: str, change: str,
                                                           kept: bool) -> None:
    """Under `python -m unittest` the same rule as under pytest: a change that makes no fewer tests fail and no more
    pass is put back at once; one that makes a test module import again (unittest stopped on it) is progress."""
    ws = make_workspace(tmp_path / "ws", {**REPO, "tests/test_core.py": tests})
    r, _ = run_small_model(hame, tmp_path, ws, [reply(f"textkit/core.py\n```python\n{change}```\n")], TASK,
                           "--check", "python -m unittest tests.test_core", "--max-steps", "1", profile="tiny-local")
    assert "check `python -m unittest tests.test_core`: failed" in r.stderr
    assert ("put back as they were: textkit/core.py" in r.stderr) is not kept, r.stderr
    assert ((ws / "textkit" / "core.py").read_text() == CORE) is not kept


def test_a_long_docstring_is_shown_cut_and_kept_whole_when_the_reply_copies_the_cut(tmp_path: Path, hame) -> None:
    doc = ('    """Cut `text` to at most `width` characters.\n\n    >>> truncate("abcdefghij", 6)\n'
           "    'abc...'\n    \"\"\"\n")
    buggy, fixed = (d.replace(d.splitlines(keepends=True)[1], doc) for d in (BUGGY, FIXED))
    ws = make_workspace(tmp_path / "ws", {**REPO, "textkit/core.py": CORE.replace(BUGGY, buggy)})
    as_shown = fixed.replace(doc, '    """Cut `text` to at most `width` characters. ..."""\n')
    r, srv = run_small_model(hame, tmp_path, ws, [reply(f"textkit/core.py\n```python\n{as_shown}```\n")], TASK,
                             "--check", CHECK, profile="tiny-local")
    first = first_user(srv.requests[0])
    assert '"""Cut `text` to at most `width` characters. ..."""' in first and ">>> truncate" not in first
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, fixed)  # the docstring kept whole
    assert json.loads(r.stdout)["stop_reason"] == "completed"


def test_a_reply_that_sends_the_shown_code_back_unchanged_is_told_so_at_once(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", REPO)
    same = BUGGY.replace("    if len", "    # short text stays as it is\n\n    if len")  # a comment, a blank line
    r, srv = run_small_model(hame, tmp_path, ws, [reply(f"textkit/core.py\n```python\n{same}```\n"),
                                                  reply(f"textkit/core.py\n```python\n{FIXED}```\n")],
                             TASK, "--check", CHECK, profile="tiny-local")  # the profile's 12 plain retries
    assert len(srv.requests) == 2, r.stderr
    note = srv.requests[1]["messages"][-1]["content"]  # not a plain retry of the first request: a noted restart
    assert "Send a new version of only the definitions of textkit/core.py" in note
    assert "Your latest version was the code as it was" in note and "the bug is in that code" in note
    assert srv.requests[1]["temperature"] == 0.5
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)
    assert json.loads(r.stdout)["stop_reason"] == "completed"


def test_definitions_copied_with_the_views_line_numbers_are_placed_without_them(tmp_path: Path, hame) -> None:
    start = CORE.splitlines().index(BUGGY.splitlines()[0]) + 1
    numbered = "".join(f"{n:>5}  {line}\n".rstrip(" ") for n, line in enumerate(FIXED.splitlines(), start))
    ws = make_workspace(tmp_path / "ws", REPO)
    r, srv = run_small_model(hame, tmp_path, ws, [reply(f"textkit/core.py\n```python\n{numbered}```\n")], TASK,
                             "--check", CHECK, profile="tiny-local")
    assert f"{start:>5}  def truncate" in first_user(srv.requests[0])  # the view's numbering, copied
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)
    assert json.loads(r.stdout)["stop_reason"] == "completed"


def test_a_reply_cut_off_at_the_output_limit_keeps_the_definitions_it_finished(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", REPO)
    cut = reply(f"textkit/core.py\n```python\n{FIXED}\n\ndef slug(text):\n    return '-'.jo", finish_reason="length")
    r, srv = run_small_model(hame, tmp_path, ws, [cut], TASK, "--check", CHECK, profile="tiny-local")
    assert len(srv.requests) == 1, r.stderr
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)  # slug, unfinished, left alone
    assert json.loads(r.stdout)["stop_reason"] == "completed"
    assert "the definitions it finished are kept: truncate" in r.stderr


def test_the_same_wrong_change_sampled_again_after_restarts_is_not_a_stall(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", REPO)
    wrong = reply(f"textkit/core.py\n```python\n{FIXED}\n\ndef slug(text):\n    return text\n```\n")
    r, srv = run_small_model(hame, tmp_path, ws, [wrong] * 5 + [reply(f"textkit/core.py\n```python\n{FIXED}```\n")],
                             TASK, "--check", CHECK, profile="tiny-local")
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and len(srv.requests) == 6, r.stderr  # not `stalled` after 5
    assert (ws / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)
    assert not any("complete corrected" in (m["content"] or "") for b in srv.requests for m in b["messages"])


@pytest.mark.skipif(bwrap_available() is not None, reason="bubblewrap cannot create a sandbox here")
def test_localization_runs_the_check_and_the_tracer_in_the_sandbox(tmp_path: Path, hame) -> None:
    """A later request localizes code a model may have written: the check and the traced rerun of the failing test
    run in the sandbox, as the check after a change does, so they cannot write outside the workspace."""
    outside = tmp_path / "escaped"
    tests = (f"import pathlib\ntry:\n    pathlib.Path({str(outside)!r}).write_text('out')\nexcept OSError:\n"
             "    pass\n\n\n" + TESTS)
    ws = make_workspace(tmp_path / "ws", {**REPO, "tests/test_core.py": tests})
    r, srv = run_small_model(hame, tmp_path, ws, [reply("Done.")], TASK, "--check", CHECK, "--max-steps", "1",
                             "--sandbox", "bwrap", profile="tiny-local")
    first = first_user(srv.requests[0])
    assert "def truncate(" in first, r.stderr  # localized: the check's failures were read
    assert "the last call before it failed, truncate(text='abcdefghij', width=6, tail='...')" in first
    assert not outside.exists()


def test_definitions_written_to_a_path_without_its_src_part_go_to_the_file_that_path_ends(tmp_path: Path,
                                                                                          hame) -> None:
    """A small model drops `src/` from `src/textkit/core.py`: a new `textkit/core.py` would be a module no test
    imports, so the definitions go to the one file whose path ends with the path written, when they fit in it."""
    src = {("src/" + rel if rel.startswith("textkit/") else rel): text for rel, text in REPO.items()}
    ws = make_workspace(tmp_path / "ws", {**src, "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n'})
    r, _ = run_small_model(hame, tmp_path, ws, [reply(f"textkit/core.py\n```python\n{FIXED}```\n")], TASK,
                           "--check", CHECK, profile="tiny-local")
    assert "textkit/core.py does not exist: its definitions go to src/textkit/core.py" in r.stderr
    assert json.loads(r.stdout)["stop_reason"] == "completed", r.stderr
    assert (ws / "src" / "textkit" / "core.py").read_text() == CORE.replace(BUGGY, FIXED)
    assert not (ws / "textkit").exists()
