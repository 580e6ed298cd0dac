"""Whole files written as fenced code blocks under their path — the edit format small coder models handle best
(Aider's "whole" format): code stays code, with no JSON escaping to get wrong.

    game.py
    ```python
    def guess(letter): ...
    ```
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PATH = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]*\w\.\w{1,8})(?![\w/-])")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([^`\s]*)\s*(\S*)\s*$")


@dataclass(frozen=True)
class FileBlock:
    path: str
    content: str


UNLABELLED = ("Your code block has no file path. Write the file's path alone on the line just above the opening "
              "```, then the block with the whole file.")


def file_blocks(text: str, default: str | None = None) -> tuple[list[FileBlock], str | None]:
    """Every complete fenced block labelled with a path; an error when a labelled block is never closed, or when
    the only code blocks have no label (a small model that forgot the path, or wrote a placeholder) — unless the
    task has one file to change (`default`): then the longest unlabelled block is that file, as in Aider."""
    lines = text.splitlines()
    blocks: list[FileBlock] = []
    unlabelled: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        path = _label(m.group(2), m.group(3)) or _label_above(lines, i)
        end = _closing(lines, i + 1, m.group(1))
        if end is None:
            return blocks, (f"The code block for {path} was not closed with ```; send the whole file again."
                            if path else None)
        content = "\n".join(lines[i + 1:end]) + "\n"
        fenced_path = None if path else _lone_path(lines[i + 1:end], lines[end + 1:end + 2])
        if fenced_path:  # ```\ngame.py\n```, then the code, then ```: the path was fenced, not the code
            close = _closing(lines, end + 1, m.group(1))
            if close is not None:
                blocks.append(FileBlock(fenced_path, "\n".join(lines[end + 1:close]) + "\n"))
                i = close + 1
                continue
        if path:
            blocks.append(FileBlock(path, content))
        elif end > i + 1:
            unlabelled.append(content)
        i = end + 1
    if unlabelled and not blocks and default:
        return [FileBlock(default, max(unlabelled, key=len))], None
    return blocks, (UNLABELLED if unlabelled and not blocks else None)


def open_block(text: str) -> FileBlock | None:
    """The fenced block a reply is still writing when it ends (a streaming reply, or one cut off): its label (""
    when it has none) and its content so far; None when the text is not inside a block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        end = _closing(lines, i + 1, m.group(1))
        if end is None:
            return FileBlock(_label(m.group(2), m.group(3)) or _label_above(lines, i) or "",
                             "\n".join(lines[i + 1:]) + "\n")
        i = end + 1
    return None


def _closing(lines: list[str], start: int, fence: str) -> int | None:
    for j in range(start, len(lines)):
        if lines[j].strip() == fence:
            return j
    return None


def _lone_path(inside: list[str], after: list[str]) -> str | None:
    """The path a block holds alone, when code (not another fence) follows the block."""
    if len(inside) != 1 or not after or FENCE.match(after[0]):
        return None
    m = PATH.fullmatch(inside[0].strip())
    return m.group(1) if m else None


def _label(info: str, extra: str) -> str | None:
    for token in (extra, info):
        m = PATH.fullmatch(token.strip()) if token else None
        if m:
            return m.group(1)
    return None


def _label_above(lines: list[str], fence_at: int) -> str | None:
    for j in range(fence_at - 1, max(fence_at - 3, -1), -1):
        line = lines[j].strip().strip("*`#:").strip()
        if not line:
            continue
        line = re.sub(r"^(?:file|path|filename)\s*:\s*", "", line, flags=re.I).strip("*`: ")
        m = PATH.fullmatch(line)
        return m.group(1) if m else None
    return None


def file_block_grammar(paths: list[str]) -> str:
    """A llama.cpp GBNF grammar for a reply that is exactly one whole file of `paths`: the path alone on a line,
    then one fenced block, and nothing after it but a newline or two — no prose to wait for, no tool call, no
    unlabelled block. No code line may start with a backtick: at a line's start the model either closes the
    block or writes code (with "``" lines allowed, a model reaching for a "```\n" token wrote "``" plus junk)."""
    if not paths:
        raise ValueError("a file-block grammar needs at least one path")
    names = " | ".join(_gbnf_literal(p) for p in paths)
    return "\n".join([
        'root ::= path "\\n```" lang "\\n" line* "```" "\\n"? "\\n"?',
        f"path ::= {names}",
        "lang ::= [a-z0-9+-]*",
        'line ::= ( [^`\\n] [^\\n]* )? "\\n"',
        "",
    ])


def _gbnf_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
