"""Every definition of a repository with its qualified name and line span, from the tree-sitter tags of `tags.py`.

A method is `Class.method`, a nested function `outer.inner`; spans are 1-based and inclusive. Used by localization
(`localize.py`) and by showing a definition by name (`show.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hame.context.files import list_files
from hame.context.tags import Definition, FileTags, extract_tags, spec_for

MAX_FILE_BYTES = 1_000_000
MAX_FILES = 5000


@dataclass(frozen=True)
class DefSpan:
    path: str
    qualname: str  # "Class.method", "function"
    start: int  # 1-based first line (the line with the name)
    end: int  # 1-based last line

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def ref(self) -> str:
        return f"{self.path}::{self.qualname}"


@dataclass
class SourceFile:
    path: str
    text: str
    tags: FileTags
    spans: list[DefSpan]

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def qualified_spans(path: str, defs: Sequence[Definition]) -> list[DefSpan]:
    """Each definition named after the definitions that enclose it, in source order."""
    ordered = sorted(defs, key=lambda d: (d.line, -d.end))
    out: list[DefSpan] = []
    stack: list[Definition] = []
    for d in ordered:
        while stack and not (stack[-1].line < d.line <= stack[-1].end):
            stack.pop()
        name = ".".join([*(p.name for p in stack), d.name])
        out.append(DefSpan(path, name, d.line + 1, max(d.end, d.line) + 1))
        stack.append(d)
    return out


def index_source(path: str, text: str) -> SourceFile | None:
    """The file's definitions, or None when no grammar reads its language."""
    tags = extract_tags(path, text.encode("utf-8"))
    if tags is None:
        return None
    return SourceFile(path, text, tags, qualified_spans(path, tags.defs))


def index_repository(root: Path, max_files: int = MAX_FILES) -> dict[str, SourceFile]:
    """Every readable source file under `root` (git's listing when there is one) with its definitions."""
    out: dict[str, SourceFile] = {}
    for rel in [p for p in list_files(root).paths if spec_for(p)][:max_files]:
        path = root / rel
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if b"\0" in data[:8192]:
            continue
        indexed = index_source(rel, data.decode("utf-8", errors="replace"))
        if indexed is not None:
            out[rel] = indexed
    return out


def innermost(spans: Sequence[DefSpan], line: int) -> DefSpan | None:
    """The narrowest definition whose span holds `line` (1-based)."""
    holding = [s for s in spans if s.start <= line <= s.end]
    return min(holding, key=lambda s: s.end - s.start) if holding else None


def enclosing(spans: Sequence[DefSpan], span: DefSpan) -> list[DefSpan]:
    """The definitions that hold `span` (its class, an outer function), outermost first."""
    return [s for s in spans if s.start < span.start <= s.end and span.qualname.startswith(s.qualname + ".")]


def find_symbol(files: dict[str, SourceFile], symbol: str, path: str | None = None) -> list[DefSpan]:
    """Definitions named `symbol`: a plain name (`to_text`) matches every definition of that name, a dotted one
    (`Table.to_text`) the definitions whose qualified name ends with it; in path order."""
    symbol = symbol.strip().removesuffix("()")
    pool = [s for f in sorted(files) if path is None or f == path for s in files[f].spans]
    return [s for s in pool if s.qualname == symbol or s.qualname.endswith("." + symbol)]
