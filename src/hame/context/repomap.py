"""A ranked map of the repository: the files and definitions that matter most, fitted to a token budget.

Scanning (listing, stat, tree-sitter, the on-disk cache) is here; ranking is in `ranking.py` and extraction in
`tags.py`. The same repository and inputs give byte-identical output, so the map can sit in a cached prompt
prefix. Scanning is bounded: at most `max_files` source files, and no new parsing after `time_limit` seconds
(a visible note says so, and the cache lets the next run go further).
"""

from __future__ import annotations

import math
import re
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hame.context.files import list_files
from hame.context.ranking import Ranking, rank_repository
from hame.context.tag_cache import TagCache
from hame.context.tags import Definition, FileTags, extract_tags, spec_for

DEFAULT_BUDGET = 1024
MAX_FILES = 5000
MAX_FILE_BYTES = 1_000_000
BINARY_SNIFF_BYTES = 8192
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def estimate_tokens(text: str) -> int:
    """Rough token count (4 characters a token), good enough to fit a budget."""
    return math.ceil(len(text) / 4)


@dataclass
class ScanResult:
    tags: dict[str, FileTags] = field(default_factory=dict)
    parsed: int = 0  # files parsed with tree-sitter in this scan
    from_cache: int = 0  # files whose tags came from the on-disk cache
    notes: list[str] = field(default_factory=list)


class RepoMap:
    def __init__(self, root: Path, cache_dir: Path, time_limit: float = 10.0, max_files: int = MAX_FILES) -> None:
        self.root = root.resolve()
        self.cache_dir = cache_dir
        self.time_limit = time_limit
        self.max_files = max_files
        self.last_scan = ScanResult()
        self.cache: TagCache | None = None  # loaded on the first render, kept for later ones

    def render(
        self, budget: int = DEFAULT_BUDGET, focus_files: Sequence[str] = (), focus_words: Sequence[str] = ()
    ) -> str:
        """The map: each file's path, then its top definitions' signature lines, best files first."""
        focus = normalize_focus(self.root, focus_files)
        self.last_scan = self.scan(focus)
        ranking = rank_repository(self.last_scan.tags, sorted(focus), sorted(set(focus_words)))
        return fit_map(ranking, self.last_scan.tags, budget, self.last_scan.notes)

    def scan(self, focus: set[str]) -> ScanResult:
        """Tags for up to `max_files` source files: cached ones always, new ones until the time limit."""
        sources = [p for p in list_files(self.root).paths if spec_for(p)]
        cache = self.cache = self.cache or TagCache(self.cache_dir, self.root)
        cache.retain(set(sources))
        chosen = choose_files(sources, focus, self.max_files)
        result, pending = ScanResult(), 0
        deadline = time.monotonic() + self.time_limit
        for path in chosen:
            key = stat_key(self.root / path)
            if key is None:
                continue
            if (hit := cache.get(path, key)) is not None:
                result.tags[path] = hit
                result.from_cache += 1
            elif time.monotonic() > deadline:
                pending += 1
            elif (tags := self.parse(path, key, cache)) is not None:
                result.tags[path] = tags
                result.parsed += 1
        cache.save()
        result.notes = scan_notes(len(sources), len(chosen), pending, self.time_limit)
        return result

    def parse(self, path: str, key: tuple[int, int], cache: TagCache) -> FileTags | None:
        """Tags for one file (cached); None for binaries and unreadable files, which the map leaves out."""
        try:
            source = (self.root / path).read_bytes()
        except OSError:
            return None
        if b"\0" in source[:BINARY_SNIFF_BYTES]:
            return None
        tags = extract_tags(path, source)
        if tags is None:  # no grammar here: keep the file in the map, but don't cache an empty answer
            return FileTags()
        cache.put(path, key, tags)
        return tags


def task_words(task: str) -> list[str]:
    """The identifiers a task names (`singularize()` -> `singularize`, `fix(strutils):` -> `fix`, `strutils`)."""
    return sorted(set(IDENTIFIER.findall(task)))


def map_command(root: Path, budget: int, cache_dir: Path) -> str:
    """What `hame map [--budget N]` prints."""
    text = RepoMap(root, cache_dir).render(budget)
    return text or "(repo map is empty: no source files in a supported language)"


def normalize_focus(root: Path, focus_files: Sequence[str]) -> set[str]:
    """Focus paths as posix paths relative to the root (absolute ones outside it are dropped)."""
    out = set()
    for name in focus_files:
        path = Path(name)
        if path.is_absolute():
            try:
                path = path.resolve().relative_to(root)
            except ValueError:
                continue
        out.add(path.as_posix())
    return out


def choose_files(sources: list[str], focus: set[str], limit: int) -> list[str]:
    """Focus files first, then shallow before deep, then by path; at most `limit`."""
    return sorted(sources, key=lambda p: (p not in focus, p.count("/"), p))[:limit]


def stat_key(path: Path) -> tuple[int, int] | None:
    """(mtime_ns, size) for a regular file small enough to parse, else None."""
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        return None
    return info.st_mtime_ns, info.st_size


def scan_notes(total: int, chosen: int, pending: int, time_limit: float) -> list[str]:
    notes = []
    if chosen < total:
        notes.append(f"[repo map: only {chosen} of {total} source files considered]")
    if pending:
        notes.append(f"[repo map: {pending} files not parsed within {time_limit:g}s; a later run adds them]")
    return notes


def fit_map(ranking: Ranking, tags: dict[str, FileTags], budget: int, notes: Sequence[str] = ()) -> str:
    """The longest prefix of ranked entries whose rendering, notes included, fits `budget` tokens."""
    entries = ranked_entries(ranking, tags)
    lo, hi = 0, len(entries)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if estimate_tokens(render_entries(entries[:mid], ranking, tags, notes)) <= budget:
            lo = mid
        else:
            hi = mid - 1
    text = render_entries(entries[:lo], ranking, tags, notes)
    return text if estimate_tokens(text) <= budget else ""


def ranked_entries(ranking: Ranking, tags: dict[str, FileTags]) -> list[tuple[str, Definition | None]]:
    """Definitions best first, then files that define nothing, by file rank."""
    entries: list[tuple[str, Definition | None]] = [(r.path, r.definition) for r in ranking.defs]
    bare = [p for p in tags if not tags[p].defs]
    entries += [(p, None) for p in sorted(bare, key=lambda p: (-ranking.file_rank[p], p))]
    return entries


def render_entries(
    entries: Sequence[tuple[str, Definition | None]],
    ranking: Ranking,
    tags: dict[str, FileTags],
    notes: Sequence[str] = (),
) -> str:
    chosen: dict[str, set[Definition]] = {}
    for path, definition in entries:
        chosen.setdefault(path, set()).update([definition] if definition else [])
    blocks = []
    for path in sorted(chosen, key=lambda p: (-ranking.file_rank[p], p)):
        shown = with_parents(chosen[path], tags[path].defs)
        blocks.append("\n".join([f"{path}:" if shown else path] + [f"  {d.signature}" for d in shown]))
    return "\n".join(blocks + list(notes))


def with_parents(chosen: set[Definition], all_defs: Sequence[Definition]) -> list[Definition]:
    """The chosen definitions in source order, each with the definitions that enclose it (class, impl...)."""
    keep = set(chosen)
    for child in chosen:
        keep.update(d for d in all_defs if d.line < child.line <= d.end)
    shown: list[Definition] = []
    for definition in sorted(keep, key=lambda d: (d.line, d.name)):
        if not shown or shown[-1].line != definition.line:  # one entry per source line
            shown.append(definition)
    return shown
