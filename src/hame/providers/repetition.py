"""Detecting a generation that has degenerated into repeating itself (small models do, until a kill)."""

from __future__ import annotations


def is_degenerate(text: str, *, window: int = 2000, min_period: int = 8, max_period: int = 400,
                  repeats: int = 8, min_span: int = 400) -> bool:
    """True when the tail of `text` is one chunk repeated `repeats` times or more, over `min_span` chars at least."""
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
    return False
