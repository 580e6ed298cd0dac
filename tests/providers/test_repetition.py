"""Degenerate generations: one chunk repeated, and runs of same-shaped lines that come round again."""

from __future__ import annotations

from hame.providers.repetition import is_degenerate, is_shape_loop

from ..fakes.openai_server import FakeOpenAI, reply
from .test_openai_compat import ModelRequest, provider, user

PUNCT = "!@#$%^&*()[]{}|~/;:,.?"
LOOP = "class Luhn:\n    def __init__(self, card):\n" + "".join(
    f'        card = card.replace("{c}", "")\n' for c in PUNCT * 3)


def test_a_run_of_one_shape_that_comes_round_again_is_a_loop() -> None:
    assert is_shape_loop(LOOP) and is_degenerate(LOOP)
    first_round = LOOP.split('replace("!"')[0] + "".join(f'        card = card.replace("{c}", "")\n' for c in PUNCT)
    assert not is_shape_loop(first_round)  # 22 distinct lines: a table, not yet a loop


def test_tables_of_distinct_entries_are_code() -> None:
    codons = "CODONS = {\n" + "".join(f'    "{a}{b}{c}": "Protein{a}",\n' for a in "ACGU" for b in "ACGU"
                                      for c in "AC") + "}\n"
    atbash = "def flip(c):\n" + "".join(f'    if c == "{x}": return "{y}"\n'
                                        for x, y in zip("abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
                                                        strict=True))
    assert not is_degenerate(codons) and not is_degenerate(atbash)
    assert not is_shape_loop('    "AUG": "Methionine",\n' * 20)  # names nothing: data, even repeated


def test_a_shape_loop_is_cut_while_it_streams() -> None:
    looping = "luhn.py\n```python\n" + LOOP * 6
    with FakeOpenAI([reply(looping)]) as srv:
        out = provider(srv.url).complete(ModelRequest([user("hi")]))
    assert out.finish_reason == "repetition"
    assert len(out.text or "") < len(looping) / 2
