"""Extract definitions (name, line, signature) and reference counts from one source file with tree-sitter."""

from __future__ import annotations

import functools
import importlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from tree_sitter import Language, Node, Parser, Query, QueryCursor, QueryError

from hame.context.tag_queries import SPEC_BY_EXT, LangSpec

MAX_DEFS_PER_FILE = 400
MAX_REF_NAMES_PER_FILE = 3000
SIGNATURE_CHARS = 110
SIGNATURE_EXTRA_LINES = 4
COMMENT_TAIL = re.compile(r"\s{2,}(#|//)\s.*$")
# Fallback grammar modules (the per-language PyPI wheels) when the language pack cannot supply one.
FALLBACK_MODULES = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "java": ("tree_sitter_java", "language"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
}


@dataclass(frozen=True)
class Definition:
    name: str
    line: int  # 0-based row of the name
    end: int  # 0-based last row of the enclosing definition node (tells which definitions nest in it)
    signature: str  # the source line(s) that declare it, indentation kept


@dataclass(frozen=True)
class FileTags:
    defs: tuple[Definition, ...] = ()
    refs: dict[str, int] = field(default_factory=dict)  # identifier -> occurrences (definitions excluded)


def spec_for(path: str) -> LangSpec | None:
    dot = path.rfind(".")
    return SPEC_BY_EXT.get(path[dot:].lower()) if dot >= 0 else None


@functools.cache
def load_language(name: str) -> Language | None:
    """The grammar from tree-sitter-language-pack, else from a per-language wheel; None if neither works."""
    try:
        from tree_sitter_language_pack import get_language

        return get_language(name)  # type: ignore[arg-type]
    except Exception:  # 1.x packs raise DownloadError offline; any failure means: try the next source
        pass
    module_name, attr = FALLBACK_MODULES.get(name, ("", ""))
    try:
        return Language(getattr(importlib.import_module(module_name), attr)())
    except (ImportError, AttributeError, ValueError):
        return None


@functools.cache
def tools_for(spec: LangSpec) -> tuple[Parser, Query] | None:
    language = load_language(spec.name)
    if language is None:
        return None
    usable = [pattern for pattern in spec.patterns() if compiles(language, pattern)]
    return Parser(language), Query(language, "\n".join(usable))


def compiles(language: Language, pattern: str) -> bool:
    """Grammar releases rename or nest nodes differently; a pattern this one rejects is skipped."""
    try:
        Query(language, pattern)
    except QueryError:
        return False
    return True


def extract_tags(path: str, source: bytes) -> FileTags | None:
    """Tags for `source` (the file at `path`), or None when no grammar is available for it."""
    spec = spec_for(path)
    tools = tools_for(spec) if spec else None
    if tools is None:
        return None
    parser, query = tools
    captures = QueryCursor(query).captures(parser.parse(source).root_node)
    def_nodes = sorted(captures.get("def", []), key=lambda n: n.start_byte)
    return FileTags(definitions(source, def_nodes), references(source, captures.get("ref", []), def_nodes))


def definitions(source: bytes, def_nodes: list[Node]) -> tuple[Definition, ...]:
    lines = source.decode("utf-8", errors="replace").split("\n")
    found = unique_defs((node_text(source, n), n.start_point[0], definition_end(n)) for n in def_nodes)
    return tuple(Definition(name, row, end, signature(lines, row)) for name, row, end in found[:MAX_DEFS_PER_FILE])


def references(source: bytes, ref_nodes: list[Node], def_nodes: list[Node]) -> dict[str, int]:
    """Occurrences of each identifier that is not a definition's own name; the most frequent kept, sorted."""
    def_starts = {n.start_byte for n in def_nodes}
    counts = Counter(node_text(source, n) for n in ref_nodes if n.start_byte not in def_starts)
    kept = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_REF_NAMES_PER_FILE]
    return dict(sorted(kept))


def node_text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def definition_end(name: Node) -> int:
    """Last row of the node that the name belongs to (its parent: the function, class, struct...)."""
    owner = name.parent or name
    return owner.end_point[0]


def unique_defs(found: Iterable[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Drop duplicates (same name on the same row) that overlapping query patterns produce; keep source order."""
    seen: set[tuple[str, int]] = set()
    out: list[tuple[str, int, int]] = []
    for name, row, end in found:
        if (name, row) not in seen:
            seen.add((name, row))
            out.append((name, row, end))
    return out


def signature(lines: list[str], row: int) -> str:
    """The declaring line, joined with following lines while brackets stay open; comments dropped; clipped."""
    text = drop_comment(lines[row]) if row < len(lines) else ""
    extra = 0
    while open_brackets(text) > 0 and extra < SIGNATURE_EXTRA_LINES and row + extra + 1 < len(lines):
        extra += 1
        joiner = "" if text.endswith(("(", "[")) else " "
        text += joiner + drop_comment(lines[row + extra]).strip()
    if open_brackets(text) > 0:
        text += " …"
    elif text.endswith("{") and not text.endswith("= {"):
        text = text.removesuffix("{").rstrip()
    return text if len(text) <= SIGNATURE_CHARS else text[: SIGNATURE_CHARS - 1] + "…"


def drop_comment(line: str) -> str:
    """Strip a trailing `  # ...` or `  // ...` comment (two spaces before it, as style guides write them)."""
    return COMMENT_TAIL.sub("", line).rstrip()


def open_brackets(text: str) -> int:
    return sum(text.count(c) for c in "([") - sum(text.count(c) for c in ")]")
