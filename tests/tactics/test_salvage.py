"""The solution inside a write that copied the test module (tactics/salvage.py)."""

from __future__ import annotations

from pathlib import Path

from hame.tactics.salvage import imported_from, salvage

from ..conftest import make_workspace

TESTS = ("import unittest\n\nfrom nth_prime import (\n    prime,\n)\n\n\ndef prime_range(n):\n"
         "    return [prime(i) for i in range(1, n + 1)]\n\n\nclass NthPrimeTest(unittest.TestCase):\n"
         "    def test_first_prime(self):\n        self.assertEqual(prime(1), 2)\n\n"
         "    def test_sixth_prime(self):\n        self.assertEqual(prime(6), 13)\n\n"
         "    def test_twenty(self):\n        self.assertEqual(prime_range(3), [2, 3, 5])\n")
SOLUTION = ("def prime(number):\n    if number < 1:\n        raise ValueError('there is no zeroth prime')\n"
            "    found = []\n    n = 1\n    while len(found) < number:\n        n += 1\n"
            "        if all(n % p for p in found):\n            found.append(n)\n    return found[-1]\n")


def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", {"nth_prime.py": "def prime(number):\n    pass\n",
                                            "nth_prime_test.py": TESTS}, git=False)


def test_the_solution_is_kept_and_the_copied_test_code_dropped(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    copy = TESTS.replace("\n\n\ndef prime_range", "\n\n\n" + SOLUTION + "\n\ndef prime_range")
    kept = salvage("nth_prime.py", copy, ws)
    assert kept is not None
    code, note = kept
    assert code == SOLUTION  # the imports, the test's helper and the TestCase class are gone
    assert note == ("hame dropped the test code you copied into nth_prime.py (class NthPrimeTest, def prime_range, "
                    "the test imports) and kept your code: prime.")


def test_a_copy_cut_off_in_the_middle_keeps_what_parses(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    cut = "import unittest\n\n" + SOLUTION + "\n\nclass NthPrimeTest(unittest.TestCase):\n    def test_first_prime(se"
    assert salvage("nth_prime.py", cut, ws) == (SOLUTION, "hame dropped the test code you copied into nth_prime.py "
                                                          "(the test imports) and kept your code: prime.")


def test_nothing_is_kept_without_a_real_definition_of_every_tested_name(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    assert salvage("nth_prime.py", TESTS, ws) is None  # only the tests
    assert salvage("nth_prime.py", "def prime(number):\n    pass\n\n\n" + TESTS, ws) is None  # a stub
    assert salvage("nth_prime.py", "def other(n):\n    return n\n\n\n" + TESTS, ws) is None  # not what is tested
    assert salvage("nth_prime.py", SOLUTION, ws) is None  # nothing copied: nothing to drop
    assert salvage("nth_prime_test.py", SOLUTION + TESTS, ws) is None  # the test file itself
    assert imported_from(TESTS, "nth_prime") == {"prime"} and imported_from("def (", "x") == set()


def test_the_write_a_cut_off_reply_had_begun_is_read_up_to_its_last_whole_line() -> None:
    import json

    from hame.agent.protocol import ToolProtocol

    whole = ToolProtocol("whole", [])
    whole.default_path = "nth_prime.py"
    for text in ("nth_prime.py\n```python\n" + SOLUTION + "\nclass T", "```\n" + SOLUTION + "\nclass T"):
        call = whole.cut_write(text)
        assert call is not None and call.arguments == {"path": "nth_prime.py", "content": SOLUTION + "\n"}
    constrained = ToolProtocol("constrained", [])
    text = json.dumps({"name": "write_file", "arguments": {"path": "nth_prime.py", "content": SOLUTION + "class T"}})
    call = constrained.cut_write(text[:-5])  # cut inside the content string
    assert call is not None and call.arguments == {"path": "nth_prime.py", "content": SOLUTION}
    assert constrained.cut_write('{"name": "read_file", "arguments": {"path": "a.py"') is None
    assert ToolProtocol("native", []).cut_write(text) is None
