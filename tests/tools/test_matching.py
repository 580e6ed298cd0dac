from __future__ import annotations

import pytest

from hame.tools.matching import apply_edit, strip_line_numbers

from .corpora import load

CASES = load("imperfect_edits.jsonl")
FILE = "def f(a):\n    if a:\n        return 1\n    return 2\n\n\ndef g():\n    return 2\n"


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_corpus(case: dict) -> None:
    outcome = apply_edit(case["content"], case["old"], case["new"], case.get("replace_all", False))
    assert (outcome.content if outcome.ok else None) == case["expected"], outcome.message
    assert outcome.ok == (outcome.content is not None)


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 60
    assert sum(c["expected"] is None for c in CASES) >= 15


def test_exact_match_is_reported_as_exact() -> None:
    outcome = apply_edit(FILE, "return 1", "return 3")
    assert (outcome.strategy, outcome.message) == ("exact", "Replaced 1 occurrence at line 3.")


def test_several_exact_matches_name_their_lines() -> None:
    outcome = apply_edit(FILE, "return 2", "return 5")
    assert not outcome.ok
    assert "old_text matches 2 places (lines 4, 8)" in outcome.message
    assert "replace_all" in outcome.message


def test_replace_all_changes_every_exact_match() -> None:
    outcome = apply_edit(FILE, "return 2", "return 5", replace_all=True)
    assert outcome.content == FILE.replace("return 2", "return 5")
    assert outcome.message == "Replaced 2 occurrences."


def test_fuzzy_ambiguity_is_refused_even_with_replace_all() -> None:
    outcome = apply_edit(FILE, "\treturn 2", "\treturn 5", replace_all=True)
    assert not outcome.ok and "when ignoring indentation" in outcome.message


def test_fuzzy_match_says_what_it_ignored() -> None:
    outcome = apply_edit(FILE, "if a:\n    return 1", "if a:\n    return 9")
    assert outcome.strategy == "indentation"
    assert outcome.message == "Replaced lines 2-3 (old_text matched after ignoring indentation)."
    assert "    if a:\n        return 9\n" in (outcome.content or "")


def test_miss_shows_the_closest_lines_numbered() -> None:
    outcome = apply_edit(FILE, "if a:\n    return 10", "x")
    assert not outcome.ok
    assert "The closest text is lines 2-3" in outcome.message
    assert "2\t    if a:\n3\t        return 1\n" in outcome.message


def test_miss_with_nothing_close() -> None:
    outcome = apply_edit(FILE, "completely unrelated text here", "x")
    assert "Nothing in the file is close to it" in outcome.message


def test_crlf_and_missing_final_newline_are_kept() -> None:
    content = "a = 1\r\nb = 2\r\nc = 3"
    outcome = apply_edit(content, "b = 2\nc = 3\n", "b = 20\nc = 30\n")
    assert outcome.content == "a = 1\r\nb = 20\r\nc = 30"


def test_new_text_gets_the_files_line_endings() -> None:
    assert apply_edit("a\r\nb\r\n", "a\r\n", "x\ny\n").content == "x\r\ny\r\nb\r\n"


def test_empty_old_text_is_refused_unless_the_file_is_empty() -> None:
    assert not apply_edit(FILE, "", "x").ok
    assert apply_edit("", "", "x\n").content == "x\n"


@pytest.mark.parametrize(("text", "plain"), [
    ("12\tdef f():\n13\t    pass\n", "def f():\n    pass\n"),
    ("  7: a\n  8: b", "a\nb"),
    ("3 | x\n4 | y", "x\ny"),
    ("5→one\n6→two", "one\ntwo"),
    ("9\ta\n\n11\tb", "a\n\nb"),
])
def test_strip_line_numbers(text: str, plain: str) -> None:
    assert strip_line_numbers(text) == plain


@pytest.mark.parametrize("text", ["12\ta\n14\tb", "def f():\n    pass", "1: a\nb"])
def test_strip_line_numbers_needs_every_line_numbered_in_sequence(text: str) -> None:
    assert strip_line_numbers(text) is None


def test_replace_all_never_applies_a_fuzzy_variant_to_several_places() -> None:
    outcome = apply_edit("x = 1\nx = 1\n", "5\tx = 1", "5\tx = 2", replace_all=True)
    assert not outcome.ok and "matches 2 places when ignoring line-number prefixes" in outcome.message
