"""Map the names a small model writes onto the real tools and parameters: case, separators, namespaces and a few
well-known aliases (`file_path`, `old_str`, ...) are forgiven when the answer is unambiguous."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from . import lenient_json

_PARAM_ALIASES = {
    "path": ("file_path", "filepath", "filename", "file", "file_name", "dir", "directory", "folder"),
    "old_text": ("old_str", "old_string", "old", "search", "find", "original", "old_content"),
    "new_text": ("new_str", "new_string", "new", "replace", "replacement", "new_content"),
    "content": ("contents", "text", "file_content", "code", "data", "body"),
    "command": ("cmd", "shell", "script", "bash", "commands"),
    "pattern": ("query", "regex", "search", "expression", "term"),
}


def squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class Toolset:
    """The tools a turn may call: name -> parameter names in schema order (the first is the main one)."""

    def __init__(self, tools: Mapping[str, Sequence[str]]) -> None:
        self.tools = {name: list(params) for name, params in tools.items()}

    def names(self) -> str:
        return ", ".join(self.tools)

    def unknown(self, raw: str) -> str:
        """The correction for a name that does not resolve."""
        close = difflib.get_close_matches(raw, list(self.tools), n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown tool {raw!r}{hint}; available: {self.names()}"

    def resolve(self, raw: str) -> str | None:
        name = raw.strip().strip("`'\"")
        if name in self.tools:
            return name
        name = re.split(r"[.:/]", name)[-1]
        for same in (lambda n: n, str.lower, squash):
            hits = [tool for tool in self.tools if same(tool) == same(name)]
            if len(hits) == 1:
                return hits[0]
        return None

    def arguments(self, tool: str, raw: object) -> dict[str, object]:
        """Coerce whatever the model gave as arguments into a dict keyed by the tool's parameter names."""
        params = self.tools[tool]
        if isinstance(raw, str) and raw.strip()[:1] in ("{", "["):
            try:
                raw = lenient_json.loads(raw.strip())
            except lenient_json.JsonSyntaxError:
                pass
        if raw is None:
            return {}
        if isinstance(raw, dict):
            return {self.param(params, str(key)): value for key, value in raw.items()}
        if isinstance(raw, list) and len(raw) <= len(params):
            return dict(zip(params, raw, strict=False))
        return {params[0]: raw} if params else {}

    def param(self, params: list[str], key: str) -> str:
        if key in params:
            return key
        for same in (str.lower, squash):
            hits = [p for p in params if same(p) == same(key)]
            if len(hits) == 1:
                return hits[0]
        aliased = [p for p in params if key.lower() in _PARAM_ALIASES.get(p, ())]
        return aliased[0] if len(aliased) == 1 else key
