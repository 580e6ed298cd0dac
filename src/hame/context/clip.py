"""Clipping long tool output: keep the head and the tail, say exactly what was cut and where the rest is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clipped:
    text: str
    clipped: bool
    omitted_lines: int = 0
    omitted_chars: int = 0


def clip(text: str, max_chars: int, *, saved_as: str | None = None, head_share: float = 0.4) -> Clipped:
    """Fit `text` into about `max_chars`, keeping whole lines from the start and the end.

    `saved_as` is the path of the full text, which the marker tells the model how to read."""
    if len(text) <= max_chars:
        return Clipped(text, False)
    lines = text.splitlines(keepends=True)
    head_budget = int(max_chars * head_share)
    tail_budget = max_chars - head_budget
    head, used = _take(lines, head_budget)
    tail_rev, _ = _take(list(reversed(lines[len(head):])), tail_budget)
    tail = list(reversed(tail_rev))
    if not head and not tail:  # one enormous line
        return _clip_chars(text, max_chars, saved_as)
    first_omitted = len(head) + 1
    omitted = lines[len(head):len(lines) - len(tail)]
    n_chars = sum(map(len, omitted))
    marker = _marker(len(omitted), n_chars, saved_as, first_omitted)
    body = "".join(head)
    if body and not body.endswith("\n"):
        body += "\n"
    return Clipped(body + marker + "".join(tail), True, len(omitted), n_chars)


def _take(lines: list[str], budget: int) -> tuple[list[str], int]:
    out, used = [], 0
    for line in lines:
        if used + len(line) > budget:
            break
        out.append(line)
        used += len(line)
    return out, used


def _clip_chars(text: str, max_chars: int, saved_as: str | None) -> Clipped:
    head, tail = text[: max_chars // 2], text[-max_chars // 2:]
    cut = len(text) - len(head) - len(tail)
    where = f" The full text is saved at {saved_as}." if saved_as else ""
    return Clipped(f"{head}\n[... {cut:,} characters omitted ...{where}]\n{tail}", True, 0, cut)


def _marker(n_lines: int, n_chars: int, saved_as: str | None, first: int) -> str:
    how = (f" Full output saved: read_file(path=\"{saved_as}\", offset={first}) shows the omitted part."
           if saved_as else "")
    return f"[... {n_lines:,} lines ({n_chars:,} characters) omitted ...{how}]\n"
