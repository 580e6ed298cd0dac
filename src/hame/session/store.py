"""Where sessions live and how they are found: one JSONL transcript per session plus a directory for its
saved outputs. `hame sessions` lists them; `--resume latest` picks the newest for a workspace."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from .transcript import new_session_id, sessions_dir


@dataclass(frozen=True)
class SessionFiles:
    id: str
    root: Path

    @classmethod
    def new(cls) -> SessionFiles:
        return cls(new_session_id(), sessions_dir())

    @property
    def transcript(self) -> Path:
        return self.root / f"{self.id}.jsonl"

    @property
    def dir(self) -> Path:
        return self.root / self.id


@dataclass(frozen=True)
class SessionInfo:
    id: str
    path: Path
    workspace: str
    started: float
    last_activity: float
    steps: int
    task: str


def session_info(path: Path) -> SessionInfo | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = json.loads(fh.readline() or "{}")
    except (OSError, ValueError):
        return None
    if head.get("type") != "session_start":
        return None
    steps = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if '"type": "model_request"' in line:
                steps += 1
    return SessionInfo(head.get("session_id", path.stem), path, head.get("workspace", ""), head.get("ts", 0.0),
                       os.path.getmtime(path), steps, head.get("task", ""))


def list_sessions(workspace: Path | None = None) -> list[SessionInfo]:
    root = sessions_dir()
    infos = [i for p in root.glob("*.jsonl") if (i := session_info(p))] if root.is_dir() else []
    if workspace is not None:
        ws = str(Path(os.path.realpath(workspace)))
        infos = [i for i in infos if i.workspace == ws]
    return sorted(infos, key=lambda i: i.last_activity, reverse=True)


def find_session(ref: str, workspace: Path, resuming: bool = False) -> SessionFiles:
    """`latest` (newest for this workspace), a full id, or a unique id prefix. `resuming`: the session must belong
    to `workspace` (its system prompt names that directory, and its checkpoints are of it)."""
    if ref in ("latest", "last"):
        found = list_sessions(workspace)
        if not found:
            raise UsageError(f"no session to resume for workspace {workspace}; start one with -p" if resuming else
                             f"no session of workspace {workspace}; name a session id (see `hame sessions --all`)")
        return SessionFiles(found[0].id, found[0].path.parent)
    matches = [i for i in list_sessions() if i.id == ref] or [i for i in list_sessions() if i.id.startswith(ref)]
    if len(matches) != 1:
        what = "no session" if not matches else f"{len(matches)} sessions"
        raise UsageError(f"{what} match {ref!r}; see `hame sessions --all`")
    found_ws = matches[0].workspace
    if resuming and found_ws and found_ws != os.path.realpath(workspace):
        raise UsageError(f"session {matches[0].id} belongs to workspace {found_ws}, not {os.path.realpath(workspace)}; "
                         f"resume it there (--cwd {found_ws})")
    return SessionFiles(matches[0].id, matches[0].path.parent)
