"""On-disk cache of per-file tags: one JSON file per repository, entries keyed by mtime_ns and size."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from hame.context.tag_queries import SPEC_BY_EXT
from hame.context.tags import Definition, FileTags

FORMAT = 2


def cache_version() -> str:
    """Changes whenever the format or any query changes, so stale tags are never reused."""
    queries = "\n".join(sorted({spec.query() for spec in SPEC_BY_EXT.values()}))
    return f"{FORMAT}-{hashlib.sha1(queries.encode()).hexdigest()[:12]}"


class TagCache:
    def __init__(self, cache_dir: Path, root: Path) -> None:
        digest = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
        self.path = cache_dir / f"repomap-{digest}.json"
        self.version = cache_version()
        self.entries: dict[str, list[object]] = self.load()
        self.dirty = False

    def load(self) -> dict[str, list[object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != self.version:
            return {}
        files = data.get("files")
        return files if isinstance(files, dict) else {}

    def get(self, path: str, key: tuple[int, int]) -> FileTags | None:
        entry = self.entries.get(path)
        if not entry or entry[:2] != list(key):
            return None
        try:
            return decode(entry[2], entry[3])
        except (TypeError, ValueError, IndexError):
            return None

    def put(self, path: str, key: tuple[int, int], tags: FileTags) -> None:
        defs = [[d.name, d.line, d.end, d.signature] for d in tags.defs]
        self.entries[path] = [key[0], key[1], defs, tags.refs]
        self.dirty = True

    def retain(self, paths: set[str]) -> None:
        """Forget files that no longer exist in the listing."""
        stale = [p for p in self.entries if p not in paths]
        for path in stale:
            del self.entries[path]
        self.dirty = self.dirty or bool(stale)

    def save(self) -> None:
        """Write atomically; a cache that cannot be written only costs speed."""
        if not self.dirty:
            return
        payload = json.dumps({"version": self.version, "files": self.entries}, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".repomap-", suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self.path)
            self.dirty = False
        except OSError:
            Path(tmp).unlink(missing_ok=True)


def decode(defs: object, refs: object) -> FileTags:
    if not isinstance(defs, list) or not isinstance(refs, dict):
        raise ValueError("bad cache entry")
    return FileTags(tuple(Definition(str(n), int(line), int(end), str(sig)) for n, line, end, sig in defs), dict(refs))
