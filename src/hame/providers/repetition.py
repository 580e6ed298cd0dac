"""Detecting a generation that has degenerated into repeating itself (small models do, until a kill): one chunk
repeated, or a run of lines of one shape (`s = s.replace("!", "")` with another literal each time) that repeats
lines it already wrote."""

from __future__ import annotations

import re

LITERAL = re.compile(r"""'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*\"""")
NAME = re.compile(r"[A-Za-z_]\w{2,}")


def is_degenerate(text: str, *, window: int = 2000, min_period: int = 8, max_period: int = 400,
                  repeats: int = 8, min_span: int = 400) -> bool:
    """True when the tail of `text` is one chunk repeated `repeats` times or more, over `min_span` chars at least,
    or ends in a loop of same-shaped lines (`is_shape_loop`)."""
    tail = text[-window:]
    if len(tail) < min_period * repeats:
        return False
    for period in range(min_period, min(max_period, len(tail) // repeats) + 1):
        count = max(repeats, -(-min_span // period))
        if period * count > len(tail):
            break
        unit = tail[-period:]
        if unit.strip() and tail.endswith(unit * count):
            return True
    return is_shape_loop(tail)


def is_shape_loop(text: str, *, run: int = 16, duplicates: int = 2) -> bool:
    """True when the text ends in `run` or more complete lines of code of one shape (the same once string literals
    are blanked, and naming something), `duplicates` of them or more repeating a line of that run exactly: a table
    of distinct entries (a dict of codons, 26 `elif c == "a"` lines) is code, the same entries again are a loop."""
    lines = [line.strip() for line in text.split("\n")[:-1] if line.strip()]
    if len(lines) < run:
        return False
    shape = LITERAL.sub('""', lines[-1])
    if not NAME.search(LITERAL.sub("", shape)):
        return False
    start = len(lines) - 1
    while start > 0 and LITERAL.sub('""', lines[start - 1]) == shape:
        start -= 1
    same = lines[start:]
    return len(same) >= run and len(same) - len(set(same)) >= duplicates
