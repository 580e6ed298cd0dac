"""Large test files attached abridged: the code that is not a test, a few whole tests that show each called name,
exception, expected message and input word once, and one line naming the rest (real Exercism files)."""

from __future__ import annotations

import ast
from pathlib import Path

from hame.context.mentions import attach, named_files
from hame.context.test_digest import ABRIDGE_OVER, HOW_READ, HOW_REPORT, TESTS_BUDGET, abridge

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply

DATA = Path(__file__).parent.parent / "data" / "exercism"
WORDY = (DATA / "wordy_test.py.txt").read_text()
PAASIO = (DATA / "paasio_test.py.txt").read_text()
UTILS = (DATA / "test_utils.py.txt").read_text()


def names_of_tests(text: str) -> list[str]:
    return [n.name for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]


def test_a_large_test_file_keeps_its_setup_a_test_for_each_thing_it_shows_and_the_first_cases() -> None:
    short = abridge("wordy_test.py", WORDY, HOW_READ)
    assert len(WORDY) > ABRIDGE_OVER and len(short) < len(WORDY) * 0.7
    assert short.startswith("import unittest\n\nfrom wordy import (\n    answer,\n)\n\n\nclass WordyTest(")
    assert "auto-generated" not in short  # the boilerplate header is dropped
    for word in ("plus", "minus", "multiplied by", "divided by"):  # each operation is shown once
        assert f" {word} " in short
    assert '"unknown operation")' in short and '"syntax error")' in short  # the exact error messages
    kept = names_of_tests(short)
    assert kept == [n for n in names_of_tests(WORDY) if n in kept]  # in file order
    for name in kept:  # each kept test whole, as in the file
        body = WORDY[WORDY.index(f"    def {name}("):].split("\n\n")[0]
        assert body in short
    left = len(names_of_tests(WORDY)) - len(kept)
    note = short.rstrip().splitlines()[-1]
    assert note.startswith(f"# hame left out {left} of the {len(names_of_tests(WORDY))} tests of wordy_test.py")
    assert note.endswith(HOW_READ) and " and " in note
    assert "test_just_a_number" in kept  # the budget left is filled in file order: the simple cases first
    assert [n for n in names_of_tests(WORDY) if n not in kept][0] in note
    ast.parse(short)  # still Python


def test_the_tests_kept_fit_the_budget() -> None:
    short = abridge("paasio_test.py", PAASIO, HOW_READ)
    tree = ast.parse(short)
    tests = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
    lines = short.splitlines()
    shown = sum(len("\n".join(lines[min([t.lineno, *(d.lineno for d in t.decorator_list)]) - 1:t.end_lineno]))
                for t in tests)
    assert 0 < shown <= TESTS_BUDGET and len(tests) < len(names_of_tests(PAASIO))
    assert "from test_utils import MockSock, MockFile, MockException, ZEN, SuperMock" in short
    assert '    @patch("paasio.super", create=True, new_callable=SuperMock)\n    def test_' in short  # with its test


def test_a_test_file_that_does_not_parse_keeps_its_head() -> None:
    broken = "import unittest\n" + "".join(f"def test_{i}(:\n    assert {i}\n" for i in range(400))
    short = abridge("x_test.py", broken, "The test report after each change names those that fail.")
    assert short.startswith("import unittest\ndef test_0(:\n") and len(short) < TESTS_BUDGET + 200
    last = broken.count("\n") - short.split("\n\n# hame")[0].count("\n") - 1  # the lines not shown
    assert short.endswith(f"# hame left out the last {last} lines of x_test.py to keep this short. "
                          "The test report after each change names those that fail.\n")


def test_a_test_file_over_the_whole_budget_is_attached_abridged(tmp_path: Path) -> None:
    (tmp_path / "paasio.py").write_text("class MeteredFile:\n    pass\n")
    (tmp_path / "paasio_test.py").write_text(PAASIO)
    (tmp_path / "test_utils.py").write_text(UTILS)
    named = named_files("Change paasio.py; the tests are in paasio_test.py, test_utils.py.", tmp_path, how=HOW_READ)
    assert len(PAASIO) > 16000 and named.too_large == []
    files = dict(named.files)
    assert files["test_utils.py"] == UTILS and files["paasio.py"].startswith("class MeteredFile")  # small: whole
    assert files["paasio_test.py"] == abridge("paasio_test.py", PAASIO, HOW_READ)
    assert named.abridged == ["paasio_test.py"]
    unabridged = named_files("Change paasio.py; the tests are in paasio_test.py.", tmp_path)  # no `how`: as before
    assert unabridged.too_large == [("paasio_test.py", len(PAASIO))]


def test_a_test_file_under_the_threshold_is_attached_as_it_was(tmp_path: Path) -> None:
    small = WORDY[:ABRIDGE_OVER - 1]
    (tmp_path / "wordy.py").write_text("def answer(question):\n    pass\n")
    (tmp_path / "wordy_test.py").write_text(small)
    task = "Change wordy.py so wordy_test.py passes."
    named = named_files(task, tmp_path, how=HOW_READ)
    assert named.files == named_files(task, tmp_path).files == [("wordy.py", "def answer(question):\n    pass\n"),
                                                               ("wordy_test.py", small)]
    assert named.abridged == [] and f"## wordy_test.py\n```\n{small}" in attach(task, named.files, ["wordy.py"])


def test_the_first_request_of_a_small_model_carries_the_abridged_tests(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"wordy.py": "def answer(question):\n    pass\n", "wordy_test.py": WORDY})
    task = "Change wordy.py so that the tests in wordy_test.py pass."
    _, srv = run_small_model(hame, tmp_path, ws, [reply("Done.")], task, "--check", "python -m pytest -q wordy_test.py",
                             "--max-steps", "1", profile="tiny-local")
    first = next(m["content"] for m in srv.requests[0]["messages"] if m["role"] == "user")
    short = abridge("wordy_test.py", WORDY, f"{HOW_READ} {HOW_REPORT}")
    assert f"## wordy_test.py\n```\n{short}```\n## wordy.py\n" in first and first.endswith("# Task\n" + task)
    assert "read_file shows them if you need them. The test report after each change names those that fail." in first
    assert "read_file(" in srv.requests[0]["messages"][0]["content"]  # the tool the note names is offered
