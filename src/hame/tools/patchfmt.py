"""Apply a patch (unified diff or Codex `*** Begin Patch`) to file contents the caller supplies.

Hunks are found by their text, not their line numbers: the same levels as edits (exact, then trailing whitespace,
indentation, tabs vs spaces, whitespace). When the context matches several places, a unified header's line number
picks the nearest, an `@@ anchor` line picks the first match after it, and otherwise the hunk is refused. Pure: the
caller reads files through `files` and writes what `PatchOutcome.files` holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from . import linematch
from .matching import join_lines, line_ending, splice, split_lines
from .patchparse import FileOp, Hunk, PatchSyntaxError, parse_patch

_LEVELS = ("exact", *linematch.LEVELS)


@dataclass(frozen=True)
class PatchOutcome:
    """New content per path (None = delete) for every file whose hunks all applied; one error per failure.

    Callers that want all-or-nothing write only when `ok`."""

    files: dict[str, str | None]
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.files)


class HunkError(Exception):
    pass


def apply_patch(files: Callable[[str], str | None], patch: str) -> PatchOutcome:
    try:
        ops = parse_patch(patch)
    except PatchSyntaxError as exc:
        return PatchOutcome({}, [str(exc)])
    result: dict[str, str | None] = {}
    errors: list[str] = []
    for op in ops:
        current = result[op.path] if op.path in result else files(op.path)
        try:
            result.update(_apply_op(op, current))
        except HunkError as exc:
            errors.append(str(exc))
    return PatchOutcome(result, errors)


def _apply_op(op: FileOp, current: str | None) -> dict[str, str | None]:
    if op.kind == "add":
        if current is not None:
            raise HunkError(f"{op.path}: already exists; to change it use an update (*** Update File / --- a/path)")
        lines = op.hunks[0].new if op.hunks else []
        return {op.path: "".join(line + "\n" for line in lines)}
    if current is None:
        raise HunkError(f"{op.path}: no such file; to create it use *** Add File (or --- /dev/null)")
    if op.kind == "delete":
        return {op.path: None}
    content = current
    errors = []
    shift = 0
    for number, hunk in enumerate(op.hunks, 1):
        moved = replace(hunk, hint=hunk.hint + shift) if hunk.hint is not None else hunk
        try:
            content = _apply_hunk(content, moved)
            shift += len(hunk.new) - len(hunk.old)
        except HunkError as exc:
            errors.append(f"{op.path}: hunk {number} ({hunk.header.strip() or 'first'}): {exc}")
    if errors:
        raise HunkError("\n".join(errors))
    if op.move_to:
        return {op.path: None, op.move_to: content}
    return {op.path: content}


def _apply_hunk(content: str, hunk: Hunk) -> str:
    lines = split_lines(content)
    bodies = [body for body, _ in lines]
    old, new = hunk.old, hunk.new
    if not old:
        at = _insertion_point(bodies, hunk)
        return join_lines(splice(lines, at, at, new, line_ending(content)))
    start, level = _locate(bodies, hunk)
    fitted = linematch.fit(bodies[start:start + len(old)], old, new, level)
    return join_lines(splice(lines, start, start + len(old), fitted, line_ending(content)))


def _insertion_point(bodies: list[str], hunk: Hunk) -> int:
    anchor = _anchor_line(bodies, hunk.anchor)
    if anchor is not None:
        return anchor + 1
    if hunk.hint is not None and not hunk.at_eof:
        return max(0, min(len(bodies), hunk.hint))
    return len(bodies)


def _locate(bodies: list[str], hunk: Hunk) -> tuple[int, str]:
    for old in _context_variants(hunk.old):
        for level in _LEVELS:
            starts = linematch.find(bodies, old, level)
            if starts:
                return _choose(bodies, hunk, starts, len(old)), level
    raise HunkError(_miss(bodies, hunk.old))


def _context_variants(old: list[str]) -> list[list[str]]:
    """The hunk's old lines, then without blank lines at its edges (a patch's blank context often is not real)."""
    lead = next((i for i, line in enumerate(old) if line.strip()), len(old))
    tail = next((i for i, line in enumerate(reversed(old)) if line.strip()), 0)
    trimmed = old[lead:len(old) - tail]
    return [old] if trimmed == old or not trimmed else [old, trimmed]


def _choose(bodies: list[str], hunk: Hunk, starts: list[int], size: int) -> int:
    if len(starts) == 1:
        return starts[0]
    if hunk.at_eof and len(bodies) - size in starts:
        return len(bodies) - size
    anchor = _anchor_line(bodies, hunk.anchor)
    after = [s for s in starts if anchor is not None and s >= anchor]
    if after:
        return after[0]
    if hunk.hint is not None:
        hint = hunk.hint
        ranked = sorted(starts, key=lambda s: abs(s + 1 - hint))
        if abs(ranked[0] + 1 - hint) < abs(ranked[1] + 1 - hint):
            return ranked[0]
    shown = ", ".join(str(s + 1) for s in starts[:10])
    raise HunkError(f"its context matches {len(starts)} places (lines {shown}); add more unchanged context lines, "
                    "or an @@ line naming the enclosing function or class")


def _anchor_line(bodies: list[str], anchor: str) -> int | None:
    if not anchor.strip():
        return None
    want = anchor.strip()
    exact = [i for i, line in enumerate(bodies) if line.strip() == want]
    loose = exact or [i for i, line in enumerate(bodies) if want in line]
    return loose[0] if loose else None


def _miss(bodies: list[str], old: list[str]) -> str:
    near = linematch.closest(bodies, old)
    head = "its context and removed lines were not found in the file"
    if near is None or near.ratio < 0.3:
        return f"{head}; read the file again and rebuild the hunk from its current text"
    shown = "\n".join(f"{n + 1}\t{bodies[n]}" for n in range(near.start, min(near.end, near.start + 12)))
    return (f"{head}. The closest text is lines {near.start + 1}-{near.end} ({near.ratio:.0%} similar):\n{shown}\n"
            "Make the hunk's ' ' and '-' lines match these exactly.")

