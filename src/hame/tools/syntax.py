"""Syntax checks after an edit, with tree-sitter: report ERROR and MISSING nodes as `line N: ...`.

Grammars come from `hame.context.tags.load_language` (the language pack, else the per-language wheels). A file
whose language has no grammar available gets no errors.
"""

from __future__ import annotations

import os
from collections import Counter
from functools import cache

from tree_sitter import Node, Parser

from ..context.tags import load_language

_LANGUAGES = {".py": "python", ".pyi": "python", ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript",
              ".cjs": "javascript", ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
              ".go": "go", ".rs": "rust"}
MAX_ERRORS = 10


def syntax_errors(path: str, text: str) -> list[str]:
    """Syntax errors in `text`, read as the language of `path`'s extension; [] when that is not supported."""
    parser = _parser(_language(path))
    if parser is None:
        return []
    source = text.encode("utf-8")
    found: list[str] = []
    _collect(parser.parse(source).root_node, source, found)
    return list(dict.fromkeys(found))[:MAX_ERRORS]


def new_syntax_errors(path: str, before: str, after: str) -> list[str]:
    """Errors in `after` that `before` did not have (compared without line numbers, since edits move lines)."""
    old = Counter(_without_line(e) for e in syntax_errors(path, before))
    fresh = []
    for error in syntax_errors(path, after):
        key = _without_line(error)
        if old[key]:
            old[key] -= 1
        else:
            fresh.append(error)
    return fresh


def _without_line(error: str) -> str:
    return error.split(": ", 1)[-1]


def _collect(node: Node, source: bytes, found: list[str]) -> None:
    if len(found) >= MAX_ERRORS:
        return
    line = node.start_point[0] + 1
    if node.is_missing:
        found.append(f"line {line}: missing {node.type!r}")
        return
    if node.is_error:
        found.append(f"line {line}: syntax error at {_snippet(node, source)!r}")
        return
    if node.has_error:
        for child in node.children:
            _collect(child, source, found)


def _snippet(node: Node, source: bytes) -> str:
    text = source[node.start_byte:node.end_byte].decode("utf-8", errors="replace").strip()
    first = text.split("\n", 1)[0]
    return first[:40] + ("..." if len(first) > 40 or "\n" in text else "")


def has_grammar(path: str) -> bool:
    """Whether `path`'s language can be checked here."""
    return _parser(_language(path)) is not None


def _language(path: str) -> str:
    return _LANGUAGES.get(os.path.splitext(path)[1].lower(), "")


@cache
def _parser(language: str) -> Parser | None:
    grammar = load_language(language) if language else None
    return Parser(grammar) if grammar else None
