"""The sections other components own (`[permissions]`, `[hooks]`, `[mcp]`, `[delegate]`), checked file by file
as a run reads them, so `hame config` and a run report the same error, naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UsageError
from .files import project_config_path, read_toml, user_config_path


def check_sections(workspace: Path) -> None:
    """Raise UsageError `FILE: problem` for the first bad component section of either config file."""
    for path in (user_config_path(), project_config_path(workspace)):
        data = read_toml(path)
        try:
            _check(data)
        except (UsageError, ValueError) as exc:
            raise UsageError(f"{path}: {exc}") from None


def _check(data: dict[str, Any]) -> None:
    from ..agent.delegate import DelegateConfig
    from ..hooks import HooksConfig
    from ..mcp.config import parse_servers
    from ..permissions.rules import Rules

    if "permissions" in data:
        Rules.from_config({"permissions": data["permissions"]})
    if "hooks" in data:
        _model(HooksConfig, data["hooks"], "hooks")
    if "mcp" in data:
        parse_servers(data["mcp"])
    if "delegate" in data:
        DelegateConfig.load(data["delegate"], 0)


def _model(cls: Any, table: Any, name: str) -> None:
    from pydantic import ValidationError

    try:
        cls.model_validate(table or {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise UsageError(f"[{name}]: {problems}") from None
