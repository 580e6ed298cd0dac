"""Find a block of lines in a file when the model copied it imperfectly, and fit the replacement to what was found.

Levels, strictest first: trailing whitespace ignored; indentation shifted by a constant amount; tabs vs spaces
(indentation compared by depth); whitespace ignored except between two words (see `squash`). Lines are bodies
without line endings.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

LEVELS = ("trailing whitespace", "indentation", "tabs vs spaces", "whitespace")
_TAB = 4
_CHAR_LIMIT = 3000  # longer blocks are compared line by line in `closest`
_WORD = re.compile(r"\w+")
_SPACE_BETWEEN_WORDS = re.compile(r"(?<=\w)(\s+)(?=\w)|\s+")


@dataclass(frozen=True)
class Near:
    start: int
    end: int
    ratio: float


def find(lines: list[str], block: list[str], level: str) -> list[int]:
    """Start indices of every window of `lines` that matches `block` at `level` (one of LEVELS, or "exact")."""
    same = _COMPARE[level]
    keys = [squash(line) for line in lines]
    want = [squash(line) for line in block]
    size = len(block)
    return [i for i in range(len(lines) - size + 1)
            if keys[i] == want[0] and keys[i:i + size] == want and same(lines[i:i + size], block)]


def fit(window: list[str], block: list[str], new: list[str], level: str) -> list[str]:
    """`new` re-indented the way `window` (what the file has) differs from `block` (what the model wrote)."""
    if level in ("exact", "trailing whitespace") or _fits_already(window, block, new):
        return new
    if level == "tabs vs spaces":
        return _fit_depths(window, block, new)
    old_base, win_base = _base(block), _base(window)
    return [_reindent(line, old_base, win_base) for line in new]


def _fits_already(window: list[str], block: list[str], new: list[str]) -> bool:
    """The model's new text is indented for the file even though its old text was not: leave it alone."""
    win_base = _base(window)
    return _base(new) == win_base != _base(block) and any(line.strip() for line in new)


def closest(lines: list[str], block: list[str]) -> Near | None:
    """The window most like `block` (difflib ratio over stripped lines), for a helpful miss message.

    Windows are first ranked by a cheap count of shared words; difflib only scores the best few, by character
    for a short block and by whole line for a long one (character matching is quadratic on repetitive text)."""
    size = max(1, len(block))
    stripped = [line.strip() for line in lines]
    by_char = sum(map(len, block)) <= _CHAR_LIMIT
    matcher: difflib.SequenceMatcher[str] = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(_units([line.strip() for line in block], by_char))
    best: Near | None = None
    for i in _promising_windows(lines, block, size, 40 if by_char else 4):
        matcher.set_seq1(_units(stripped[i:i + size], by_char))
        floor = best.ratio if best else 0.0
        if matcher.real_quick_ratio() <= floor or matcher.quick_ratio() <= floor:
            continue
        ratio = matcher.ratio()
        if ratio > floor:
            best = Near(i, min(len(lines), i + size), ratio)
    return best



def _units(lines: list[str], by_char: bool) -> list[str]:
    return list("\n".join(lines)) if by_char else lines


def _promising_windows(lines: list[str], block: list[str], size: int, keep: int) -> list[int]:
    """Window starts ordered by how many of the block's words their lines share (a sliding sum, so linear)."""
    words = set(_WORD.findall("\n".join(block)))
    scores = [len(words.intersection(_WORD.findall(line))) for line in lines]
    starts = range(max(1, len(lines) - size + 1))
    window = sum(scores[:size])
    totals = []
    for i in starts:
        totals.append(window)
        if i + size < len(scores):
            window += scores[i + size] - scores[i]
    return sorted(starts, key=lambda i: -totals[i])[:keep]



def squash(text: str) -> str:
    """`text` with whitespace dropped except one space between two word characters (`x=1` == `x = 1`, but
    `tot al` != `total`)."""
    return _SPACE_BETWEEN_WORDS.sub(lambda m: " " if m.group(1) else "", text.strip())



def _same_rstrip(window: list[str], block: list[str]) -> bool:
    return all(a.rstrip() == b.rstrip() for a, b in zip(window, block, strict=True))


def _same_shifted(window: list[str], block: list[str]) -> bool:
    return _dedent(window) == _dedent(block)


def _same_depths(window: list[str], block: list[str]) -> bool:
    return _depths(window) == _depths(block) and _dedent_all(window) == _dedent_all(block)


_COMPARE: dict[str, Callable[[list[str], list[str]], bool]] = {
    "exact": lambda window, block: window == block,
    "trailing whitespace": _same_rstrip,
    "indentation": _same_shifted,
    "tabs vs spaces": _same_depths,
    "whitespace": lambda window, block: True,  # `find` already compared the squashed lines
}


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _base(lines: list[str]) -> str:
    """The leading whitespace every non-blank line shares."""
    return os.path.commonprefix([_indent(line) for line in lines if line.strip()])


def _dedent(lines: list[str]) -> list[str]:
    base = len(_base(lines))
    return [line[base:].rstrip() if line.strip() else "" for line in lines]


def _dedent_all(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines]


def _width(line: str) -> int:
    return len(_indent(line).expandtabs(_TAB))


def _unit(widths: list[int]) -> int:
    """The indentation step: the gcd of the differences from the shallowest line (0 when all are equal)."""
    low = min(widths, default=0)
    return math.gcd(*[w - low for w in widths]) if widths else 0


def _depths(lines: list[str]) -> list[int | None]:
    widths = [_width(line) for line in lines if line.strip()]
    low, unit = min(widths, default=0), _unit(widths) or 1
    return [(_width(line) - low) // unit if line.strip() else None for line in lines]


def _reindent(line: str, old_base: str, win_base: str) -> str:
    if not line.strip():
        return ""
    if line.startswith(old_base):
        return win_base + line[len(old_base):]
    if not (old_base + win_base).strip(" "):
        width = len(_indent(line)) + len(win_base) - len(old_base)
        return " " * max(0, width) + line.lstrip()
    return win_base + line.lstrip()


def _fit_depths(window: list[str], block: list[str], new: list[str]) -> list[str]:
    """Re-render `new`'s indentation depth by depth in the window's style (tabs, or its own step of spaces)."""
    block_widths = [_width(line) for line in block if line.strip()]
    new_widths = [_width(line) for line in new if line.strip()]
    low = min(block_widths, default=0)
    step = _unit(block_widths) or _unit(new_widths) or _TAB
    base = next((_indent(line) for line in window if line.strip() and _width(line) == _window_low(window)), "")
    tabs = any(_indent(line).startswith("\t") for line in window)
    unit = "\t" if tabs else " " * (_unit([_width(line) for line in window if line.strip()]) or _TAB)
    out = []
    for line in new:
        depth = max(0, round((_width(line) - low) / step)) if line.strip() else 0
        out.append(base + unit * depth + line.lstrip() if line.strip() else "")
    return out


def _window_low(window: list[str]) -> int:
    return min((_width(line) for line in window if line.strip()), default=0)
