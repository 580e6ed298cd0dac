"""Add one string to an array in a TOML file without disturbing the rest of it (comments and layout included).

The edit is textual; the result is re-parsed and must equal the old data plus the new item, or nothing is
written. The file is replaced atomically (temporary file + os.replace).
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
import tomllib
from pathlib import Path


class ConfigEditError(ValueError):
    """The file could not be updated safely (the message says what to add by hand)."""


def add_to_array(path: Path, table: str, key: str, value: str) -> bool:
    """Add `value` to `[table] key = [...]` in the TOML file at `path` (created if missing). False if present."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigEditError(f"{path} is not valid TOML ({exc}); fix it before adding rules") from None
    section = data.get(table, {})
    current = section.get(key, []) if isinstance(section, dict) else None
    if not isinstance(current, list):
        raise ConfigEditError(f"{path}: {table}.{key} is not an array; add {value!r} to it by hand")
    if value in current:
        return False
    expected = copy.deepcopy(data)
    expected.setdefault(table, {}).setdefault(key, []).append(value)
    new_text = _edited(text, table, key, value, present=table in data)
    if new_text is None or tomllib.loads(new_text) != expected:
        raise ConfigEditError(f"could not update {path} safely; add {value!r} to [{table}] {key} by hand")
    _atomic_write(path, new_text)
    return True


def toml_string(value: str) -> str:
    """A TOML basic string."""
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    out = (escapes.get(c) or (f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else c) for c in value)
    return '"' + "".join(out) + '"'


def _edited(text: str, table: str, key: str, value: str, *, present: bool) -> str | None:
    item = toml_string(value)
    if not present:
        sep = "" if not text else "\n" if text.endswith("\n") else "\n\n"
        return f"{text}{sep}[{table}]\n{key} = [{item}]\n"
    header = re.search(rf"^[ \t]*\[[ \t]*{re.escape(table)}[ \t]*\][ \t]*(#.*)?$", text, re.MULTILINE)
    if header is None:
        return None
    body_start = header.end() + 1
    next_header = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, body_start)
    body_end = next_header.start() if next_header else len(text)
    assign = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=[ \t]*\[", re.MULTILINE).search(text, body_start, body_end)
    if assign is None:
        line = f"{key} = [{item}]\n"
        return text[: header.end()] + "\n" + line + text[body_start:] if body_start <= len(text) else text + "\n" + line
    return _insert_item(text, assign.end() - 1, item)


def _insert_item(text: str, open_idx: int, item: str) -> str | None:
    found = _array_close(text, open_idx)
    if found is None:
        return None
    close_idx, last_idx = found
    if last_idx == open_idx:
        return text[: open_idx + 1] + item + text[open_idx + 1 :]
    comma = text[last_idx] == ","
    if "\n" not in text[last_idx:close_idx]:
        return text[: last_idx + 1] + (" " if comma else ", ") + item + text[last_idx + 1 :]
    line_start = text.rfind("\n", 0, last_idx) + 1
    indent = re.match(r"[ \t]*", text[line_start:]).group(0)  # type: ignore[union-attr]
    addition = f"\n{indent}{item}," if comma else f",\n{indent}{item}"
    return text[: last_idx + 1] + addition + text[last_idx + 1 :]


def _array_close(text: str, open_idx: int) -> tuple[int, int] | None:
    """(index of the matching ']', index of the last significant character before it) or None."""
    depth, i, last = 0, open_idx, open_idx
    while i < len(text):
        c = text[i]
        if c == "#":
            i = _line_end(text, i)
            continue
        if c in "\"'":
            end = _string_end(text, i)
            if end < 0:
                return None
            i, last = end, end - 1
            continue
        depth += (c == "[") - (c == "]")
        if depth == 0:
            return i, last
        if not c.isspace() and i != open_idx:
            last = i
        i += 1
    return None


def _string_end(text: str, i: int) -> int:
    """Index just past the string starting at `i`, or -1."""
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < len(text):
        if text[j] == "\\" and quote[0] == '"':
            j += 2
        elif text.startswith(quote, j):
            return j + len(quote)
        else:
            j += 1
    return -1


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
