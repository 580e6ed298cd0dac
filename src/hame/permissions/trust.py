"""Trusted workspaces: a workspace's `.hame/config.toml` may start programs outside the sandbox (hooks, stdio MCP
servers) or loosen it (`sandbox`, `sandbox_network`, `sandbox_env`). Those entries take effect only once the user
trusts that workspace with that exact file content; the trust (a sha256 per workspace) lives in hame's state dir,
so a changed file asks again."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..config.files import project_config_path, read_toml
from ..errors import UsageError
from ..session.transcript import state_dir
from .approval import Asker, Question

GATED_KEYS = ("hooks", "mcp", "sandbox", "sandbox_network", "sandbox_env")


def trust_file() -> Path:
    return state_dir() / "trusted-workspaces.json"


def gated_entries(workspace: Path) -> list[str]:
    """The keys of the workspace's config that need trust (empty when there is nothing to trust)."""
    data: dict[str, Any] = read_toml(project_config_path(workspace))
    return [key for key in GATED_KEYS if data.get(key) not in (None, {}, [])]


def _digest(workspace: Path) -> str:
    path = project_config_path(workspace)
    return hashlib.sha256(path.read_bytes() if path.is_file() else b"").hexdigest()


def _store() -> dict[str, str]:
    try:
        data = json.loads(trust_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def is_trusted(workspace: Path) -> bool:
    return _store().get(os.path.realpath(workspace)) == _digest(workspace)


def trust(workspace: Path) -> None:
    """Record that the user trusts `workspace` with its config file as it is now (written atomically)."""
    store = _store()
    store[os.path.realpath(workspace)] = _digest(workspace)
    path = trust_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(store, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def require_trust(workspace: Path, *, trusted_flag: bool, asker: Asker | None) -> None:
    """Return when the workspace's config needs no trust or has it (asking in the REPL, `--trust` headless);
    raise UsageError naming what to do otherwise."""
    keys = gated_entries(workspace)
    if not keys or is_trusted(workspace):
        return
    path = project_config_path(workspace)
    what = ", ".join(f"[{k}]" if k in ("hooks", "mcp") else k for k in keys)
    if trusted_flag:
        return trust(workspace)
    if asker is not None:
        question = Question("trust", {"path": str(path)}, path.read_text(encoding="utf-8", errors="replace"),
                            f"{path} sets {what}, which run programs outside the sandbox or loosen it. "
                            "Trust this workspace with this file?")
        if asker(question).kind != "no":
            return trust(workspace)
    raise UsageError(f"{path} sets {what}, which run programs outside the sandbox or loosen it, and this workspace "
                     "is not trusted with this file's content. Read the file; if you trust it, run again with "
                     "--trust (it is remembered until the file changes), or remove those entries.")
