"""Forgiving edits: replace `old` with `new` in a file's text, even when a small model copied `old` imperfectly.

Order: the exact text; then variants of it (line-number prefixes from a numbered read removed; blank lines at its
edges dropped); then, line by line, the levels in `linematch` (trailing whitespace, indentation, tabs vs spaces,
whitespace); then whitespace ignored within a line. The first attempt that matches anything decides: one match is
applied, several are refused with their line numbers. A miss names the closest region of the file. The file's
line endings and final newline are kept.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from . import linematch

_NUMBERED = tuple(re.compile(p) for p in (r"^\s*(\d+)\t", r"^\s*(\d+):[ \t]?", r"^\s*(\d+) ?\| ?", r"^\s*(\d+)→",
                                         r"^\s*L(\d+):\s?", r"^\s*(\d+) "))
_SHOWN_LINES = 12
_SHOWN_MATCHES = 10


@dataclass(frozen=True)
class EditOutcome:
    """`content` is the whole new text when `ok`; `strategy` is "exact" or what had to be ignored to match."""

    ok: bool
    content: str | None
    strategy: str
    message: str


@dataclass(frozen=True)
class _Variant:
    ignored: str
    old: str
    new: str


Line = tuple[str, str]


def apply_edit(content: str, old: str, new: str, replace_all: bool = False) -> EditOutcome:
    if not old.strip():
        if content.strip():
            return _refuse("old_text is empty; copy the lines to replace from the file")
        return EditOutcome(True, new, "exact", "Wrote the empty file.")
    if old == new:
        return _refuse("old_text and new_text are identical; nothing would change")
    eol = line_ending(content)
    variants = _variants(old, new)
    for variant in variants:
        outcome = _exact(content, variant, eol, replace_all)
        if outcome:
            return outcome
    lines = split_lines(content)
    for level in linematch.LEVELS:
        for variant in variants:
            outcome = _by_lines(lines, variant, level, eol)
            if outcome:
                return outcome
    return _squeezed(content, variants[-1], eol) or _miss(lines, block_lines(variants[-1].old))


def line_ending(content: str) -> str:
    crlf = content.count("\r\n")
    return "\r\n" if crlf and crlf >= content.count("\n") - crlf else "\n"


def split_lines(content: str) -> list[Line]:
    """(body, ending) pairs; the last line's ending is "" when the file has no final newline."""
    parts = content.split("\n")
    lines = [(p[:-1], "\r\n") if p.endswith("\r") else (p, "\n") for p in parts[:-1]]
    if parts[-1]:
        lines.append((parts[-1], ""))
    return lines


def splice(lines: list[Line], start: int, end: int, bodies: list[str], eol: str) -> list[Line]:
    """Replace lines[start:end] with `bodies`, keeping whether the file ends with a newline."""
    endings = [eol] * len(bodies)
    at_end = end == len(lines) and bool(lines) and lines[-1][1] == ""
    if bodies and at_end:
        endings[-1] = ""
    before = lines[:start]
    if bodies and before and start == len(lines) and before[-1][1] == "":
        before[-1] = (before[-1][0], eol)
        endings[-1] = ""
    return before + list(zip(bodies, endings, strict=True)) + lines[end:]


def join_lines(lines: list[Line]) -> str:
    return "".join(body + ending for body, ending in lines)


def block_lines(text: str) -> list[str]:
    """A snippet as line bodies; a final newline does not make an extra empty line."""
    text = text.replace("\r\n", "\n")
    text = text[:-1] if text.endswith("\n") else text
    return text.split("\n") if text else []


def with_eol(text: str, eol: str) -> str:
    text = text.replace("\r\n", "\n")
    return text.replace("\n", eol) if eol != "\n" else text


def _join(*parts: str) -> str:
    return " and ".join(p for p in parts if p)


def _refuse(message: str, strategy: str = "none") -> EditOutcome:
    return EditOutcome(False, None, strategy, message)


def _variants(old: str, new: str) -> list[_Variant]:
    found = [_Variant("", old, new)]
    unnumbered = strip_line_numbers(old)
    if unnumbered is not None:
        found.append(_Variant("line-number prefixes", unnumbered, strip_line_numbers(new) or new))
    last = found[-1]
    trimmed = _trim_blank(last)
    if trimmed.old != last.old:
        found.append(trimmed)
    return found


def strip_line_numbers(text: str) -> str | None:
    """`text` without the `12\\t` (or `12: `, `12 | `, ...) prefixes of a numbered read, if every line has one."""
    lines = block_lines(text)
    for pattern in _NUMBERED:
        matches = [(i, pattern.match(line)) for i, line in enumerate(lines) if line.strip()]
        if not matches or not all(m for _, m in matches):
            continue
        offsets = {int(m.group(1)) - i for i, m in matches if m}
        if len(offsets) == 1:
            body = [pattern.sub("", line, count=1) for line in lines]
            return "\n".join(body) + ("\n" if text.endswith("\n") else "")
    return None


def _trim_blank(variant: _Variant) -> _Variant:
    old, new = block_lines(variant.old), block_lines(variant.new)
    lead = next((i for i, line in enumerate(old) if line.strip()), 0)
    tail = next((i for i, line in enumerate(reversed(old)) if line.strip()), 0)
    new_lead = min(lead, next((i for i, line in enumerate(new) if line.strip()), len(new)))
    new_tail = min(tail, next((i for i, line in enumerate(reversed(new)) if line.strip()), len(new)))
    core_old = "\n".join(old[lead:len(old) - tail])
    core_new = "\n".join(new[new_lead:len(new) - new_tail])
    return _Variant(_join(variant.ignored, "surrounding blank lines"), core_old, core_new)


def _exact(content: str, variant: _Variant, eol: str, replace_all: bool) -> EditOutcome | None:
    for target, ignored in ((variant.old, ""), (with_eol(variant.old, eol), "line endings")):
        count = content.count(target)
        if count == 0:
            continue
        strategy = _join(variant.ignored, ignored if target != variant.old else "") or "exact"
        found = itertools.islice(re.finditer(re.escape(target), content), _SHOWN_MATCHES)
        starts = [content.count("\n", 0, m.start()) + 1 for m in found]
        if count > 1 and not (replace_all and strategy in ("exact", "line endings")):
            return _ambiguous(starts, strategy, exact=strategy == "exact", total=count)
        result = content.replace(target, with_eol(variant.new, eol), -1 if replace_all else 1)
        where = f"{count} occurrences" if count > 1 else f"1 occurrence at line {starts[0]}"
        return EditOutcome(True, result, strategy, f"Replaced {where}{_note(strategy)}.")
    return None


def _by_lines(lines: list[Line], variant: _Variant, level: str, eol: str) -> EditOutcome | None:
    block = block_lines(variant.old)
    bodies = [body for body, _ in lines]
    starts = linematch.find(bodies, block, level) if block else []
    strategy = _join(variant.ignored, level)
    if len(starts) > 1:
        return _ambiguous([s + 1 for s in starts], strategy, exact=False)
    if not starts:
        return None
    start, end = starts[0], starts[0] + len(block)
    fitted = linematch.fit(bodies[start:end], block, block_lines(variant.new), level)
    text = join_lines(splice(lines, start, end, fitted, eol))
    span = f"line {start + 1}" if end == start + 1 else f"lines {start + 1}-{end}"
    return EditOutcome(True, text, strategy, f"Replaced {span}{_note(strategy)}.")


def _squeezed(content: str, variant: _Variant, eol: str) -> EditOutcome | None:
    """A match with whitespace ignored except between words, for fragments inside a line (`x=1` for `x = 1`)."""
    kept, squeezed = _squeeze_map(content)
    target = linematch.squash(variant.old)
    hits = [m.start() for m in re.finditer(f"(?={re.escape(target)})", squeezed)]
    if not hits:
        return None
    strategy = _join(variant.ignored, "whitespace")
    if len(hits) > 1:
        return _ambiguous([content.count("\n", 0, kept[h]) + 1 for h in hits], strategy, exact=False)
    start, end = kept[hits[0]], kept[hits[0] + len(target) - 1] + 1
    result = content[:start] + with_eol(variant.new, eol) + content[end:]
    line = content.count("\n", 0, start) + 1
    return EditOutcome(True, result, strategy, f"Replaced 1 occurrence at line {line}{_note(strategy)}.")


def _squeeze_map(content: str) -> tuple[list[int], str]:
    """`linematch.squash(content)` and, for each of its characters, the index it came from in `content`."""
    kept: list[int] = []
    chars: list[str] = []
    for match in re.finditer(r"\s+|\S", content):
        at, end = match.start(), match.end()
        if not match.group().isspace():
            kept.append(at)
            chars.append(match.group())
        elif chars and _is_word(content[at - 1]) and end < len(content) and _is_word(content[end]):
            kept.append(at)
            chars.append(" ")
    return kept, "".join(chars)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _note(strategy: str) -> str:
    return "" if strategy == "exact" else f" (old_text matched after ignoring {strategy})"


def _ambiguous(line_numbers: list[int], strategy: str, *, exact: bool, total: int = 0) -> EditOutcome:
    total = max(total, len(line_numbers))
    shown = ", ".join(str(n) for n in line_numbers[:_SHOWN_MATCHES]) + (", ..." if total > _SHOWN_MATCHES else "")
    how = "" if exact else f" when ignoring {strategy}"
    fix = ", or set replace_all to true to change every one" if exact else ""
    return _refuse(f"old_text matches {total} places{how} (lines {shown}); nothing was changed. "
                   f"Add a few surrounding lines to old_text so it matches exactly one place{fix}.", strategy)


def _miss(lines: list[Line], block: list[str]) -> EditOutcome:
    bodies = [body for body, _ in lines]
    if not bodies:
        return _refuse("old_text was not found: the file is empty. Use write_file to give it content.")
    near = linematch.closest(bodies, block)
    head = ("old_text was not found in the file, even ignoring whitespace, indentation and line numbers; "
            "nothing was changed.")
    if near is None or near.ratio < 0.3:
        return _refuse(f"{head} Nothing in the file is close to it; read the file again and copy old_text exactly.")
    end = min(near.end, near.start + _SHOWN_LINES)
    shown = "\n".join(f"{n + 1}\t{bodies[n]}" for n in range(near.start, end))
    return _refuse(f"{head} The closest text is lines {near.start + 1}-{near.end} ({near.ratio:.0%} similar):\n"
                   f"{shown}\nCopy old_text exactly from the file (without the line numbers) and try again.")
