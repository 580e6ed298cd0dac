"""Configuration files: `~/.config/hame/config.toml` then `.hame/config.toml` in the workspace (project wins;
permission rule lists are concatenated, so a project can add rules but not drop the user's deny rules)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from ..errors import UsageError

LIST_KEYS = ("allow", "ask", "deny")


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "hame" / "config.toml"


def project_config_path(workspace: Path) -> Path:
    return workspace / ".hame" / "config.toml"


def read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None


def load_config(workspace: Path) -> dict[str, Any]:
    """The two files merged (no defaults, environment or flags: see layers.py), each checked against the schema."""
    from .schema import validate_layer

    merged: dict[str, Any] = {}
    for path in (user_config_path(), project_config_path(workspace)):
        data = read_toml(path)
        if data:
            validate_layer(data, str(path), from_file=True)
        merge(merged, data)
    return merged


def merge(into: dict[str, Any], new: dict[str, Any], table: str = "") -> None:
    """`new` over `into`: tables merge key by key; permission rule lists (allow / ask / deny) and hook lists
    (`[[hooks.EVENT]]`) are concatenated, the later layer's entries last; any other value is replaced."""
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value, key)
        elif (key in LIST_KEYS or table == "hooks") and isinstance(value, list) and isinstance(into.get(key), list):
            into[key] = into[key] + value
        else:
            into[key] = value
