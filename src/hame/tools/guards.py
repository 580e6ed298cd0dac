"""Refuse whole-file writes that would destroy a file: emptying it, shrinking it to a sliver, or writing a diff or
a "rest of the code unchanged" placeholder where the complete text belongs (small models do all three)."""

from __future__ import annotations

import re

MIN_LINES = 10
MIN_FRACTION = 0.2
_COMMENT = re.compile(r"^(?:#+|//+|/\*+|<!--|--|;+|\*)\s*(.*?)\s*(?:\*/|-->)?$")
_ELIDED = re.compile(
    r"\b(?:rest|remainder) of (?:the |this |your )?(?:code|file|class|function|module|implementation|methods?|"
    r"functions?|script|component)"
    r"|\b(?:existing|previous|original|other) (?:code|implementation|methods|functions|content|logic)\b"
    r"|\b(?:code|file|rest|everything else|remaining|methods|functions|lines)\b.{0,20}\b(?:unchanged|omitted|"
    r"as before|remains? the same|stays? the same)", re.IGNORECASE)
_DIFF_LINE = re.compile(r"^(?:@@ .*@@|--- \S|\+\+\+ \S|\*\*\* (?:Begin Patch|Update File:))")


def destructive_write(old: str, new: str, can_edit: bool = True) -> str | None:
    """Why writing `new` over `old` looks destructive, as advice for the model; None when it looks fine.
    `can_edit`: edit_file is offered (the advice names it only then)."""
    if not old.strip():
        return None
    old_lines = old.count("\n") + 1
    if not new.strip():
        remove = "To remove a few lines use edit_file; to" if can_edit else "To"
        return (f"Refusing to replace the {old_lines}-line file with empty content. {remove} delete the file, say so "
                "in your answer.")
    if _looks_like_diff(new) and not _looks_like_diff(old):
        return ("Refusing to write: the new content looks like a diff, not the file's complete text. "
                + ("Use edit_file (old_text/new_text), or write the whole file." if can_edit
                   else "Write the whole file."))
    placeholder = _placeholder(old, new)
    if placeholder:
        return (f"Refusing to write: the new content has the placeholder {placeholder!r} instead of real code, so "
                "the rest of the file would be lost. Write the complete file"
                + (", or use edit_file to change part of it." if can_edit else ", with every line of it."))
    if old_lines > MIN_LINES and len(new) < MIN_FRACTION * len(old):
        return (f"Refusing to write: the new content ({len(new):,} chars) is under {MIN_FRACTION:.0%} of the current "
                f"{old_lines}-line file ({len(old):,} chars), which looks like a partial file. "
                + ("Use edit_file for a change, or write the complete file." if can_edit
                   else "Write the complete file, with every line of it."))
    return None


def _looks_like_diff(text: str) -> bool:
    lines = text.splitlines()
    return sum(bool(_DIFF_LINE.match(line)) for line in lines) >= 2 or text.lstrip().startswith("*** Begin Patch")


def _placeholder(old: str, new: str) -> str | None:
    """A line of `new` that stands in for elided code and was not already in `old` (only when `new` is shorter)."""
    if len(new) >= len(old):
        return None
    existing = {line.strip() for line in old.splitlines()}
    for line in new.splitlines():
        stripped = line.strip()
        if stripped and stripped not in existing and _is_placeholder(stripped):
            return stripped
    return None


def _is_placeholder(line: str) -> bool:
    """`# ...`, `// ... rest of the code ...`, `[existing methods unchanged]`, `/* code omitted */`."""
    comment = _COMMENT.match(line)
    if comment:
        body = comment.group(1)
        return body.strip("[]() ") in ("...", "…") or bool(_ELIDED.search(body))
    return line.startswith(("...", "…", "[", "(", "<")) and bool(_ELIDED.search(line))
