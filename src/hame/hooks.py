"""User commands run on agent events, Claude Code style, declared in config:

    [[hooks.pre_tool]]            # before a tool call; may block it
    match = "run_shell"           # tool-name glob, `|` between alternatives (default "*")
    command = "python .hame/check.py"
    timeout = 30                  # seconds (default 60)

Events: `pre_tool`, `post_tool` (match the tool name too), `final`, `session_start`. Each command runs through
the shell in the workspace and gets the event as one JSON object on stdin (and HAME_HOOK_EVENT, HAME_SESSION_ID,
HAME_WORKSPACE in its environment). A pre_tool hook blocks the call by exiting with code 2 (stderr is the
reason) or by printing `{"decision": "block", "reason": "..."}`; the reason goes to the model as the call's
result. Any other failure (a crash, a timeout, a missing command) is a notice: hooks never end a run.
"""

from __future__ import annotations

import fnmatch
import json
import os
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import UsageError
from .events import Event, EventBus, Final, Notice, SessionStart, ToolCallStart, ToolResultEvent
from .tools.base import Gate, Tool

HookEvent = Literal["pre_tool", "post_tool", "final", "session_start"]
BLOCK_EXIT = 2


class HookSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: str
    match: str = "*"
    timeout: float = Field(60.0, gt=0)

    def matches(self, tool: str) -> bool:
        return any(fnmatch.fnmatchcase(tool, p.strip()) for p in self.match.split("|"))


class HooksConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pre_tool: list[HookSpec] = []
    post_tool: list[HookSpec] = []
    final: list[HookSpec] = []
    session_start: list[HookSpec] = []

    def any(self) -> bool:
        return bool(self.pre_tool or self.post_tool or self.final or self.session_start)


@dataclass(frozen=True)
class HookRun:
    """What one hook command did: its exit code (None when it could not run or timed out) and output."""

    code: int | None
    stdout: str
    stderr: str
    problem: str = ""  # why it did not finish


def run_command(spec: HookSpec, payload: dict[str, Any], workspace: Path, env: dict[str, str]) -> HookRun:
    """Run one hook command with `payload` on stdin; its whole process group is killed on timeout."""
    data = json.dumps(payload, ensure_ascii=False, default=str)
    try:
        proc = subprocess.Popen(spec.command, shell=True, cwd=workspace, env={**os.environ, **env},
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
    except OSError as exc:
        return HookRun(None, "", "", f"could not start: {exc}")
    try:
        out, err = proc.communicate(data, timeout=spec.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return HookRun(None, out, err, f"timed out after {spec.timeout:g}s")
    return HookRun(proc.returncode, out, err)


def block_reason(run: HookRun) -> str | None:
    """Why a pre_tool hook blocks the call, or None when it lets it through."""
    if run.code == BLOCK_EXIT:
        return run.stderr.strip() or run.stdout.strip() or "no reason given"
    if run.code != 0:
        return None
    try:
        answer = json.loads(run.stdout)
    except ValueError:
        return None
    if isinstance(answer, dict) and answer.get("decision") == "block":
        return str(answer.get("reason") or "no reason given")
    return None


class Hooks:
    def __init__(self, config: HooksConfig, workspace: Path, notice: Callable[[str], None]) -> None:
        self.config = config
        self.workspace = workspace
        self.notice = notice
        self.session_id = ""
        self.arguments: dict[str, dict[str, Any] | None] = {}  # call id -> arguments, for post_tool

    @classmethod
    def from_config(cls, table: dict[str, Any] | None, workspace: Path, bus: EventBus) -> Hooks:
        """The `[hooks]` table as Hooks subscribed to `bus`; raises UsageError naming a bad key."""
        try:
            config = HooksConfig.model_validate(table or {})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise UsageError(f"[hooks]: {problems}") from None
        hooks = cls(config, workspace, lambda text: bus.emit(Notice(text=text)))
        if config.any():
            bus.subscribe(hooks.on_event)
        return hooks

    def gate(self, inner: Gate | None) -> Gate | None:
        """`inner` (the permission gate) preceded by the pre_tool hooks."""
        if not self.config.pre_tool:
            return inner

        def gate(tool: Tool, args: dict[str, Any]) -> str | None:
            return self.pre_tool(tool.name, args) or (inner(tool, args) if inner else None)

        return gate

    def pre_tool(self, tool: str, args: dict[str, Any]) -> str | None:
        """The refusal the model sees when a hook blocks the call, else None."""
        payload = {"tool": tool, "arguments": args}
        for spec in self.config.pre_tool:
            if not spec.matches(tool):
                continue
            run = self._run("pre_tool", spec, payload)
            reason = block_reason(run) if not run.problem else None
            if reason is not None:
                return f"A pre_tool hook blocked this {tool} call: {reason}"
        return None

    def on_event(self, event: Event) -> None:
        if isinstance(event, SessionStart):
            self.session_id = event.session_id
            self._all("session_start", event.to_dict())
        elif isinstance(event, ToolCallStart):
            self.arguments[event.call_id] = event.arguments
        elif isinstance(event, ToolResultEvent):
            payload = {**event.to_dict(), "tool": event.name, "arguments": self.arguments.pop(event.call_id, None)}
            self._all("post_tool", payload, tool=event.name)
        elif isinstance(event, Final):
            self._all("final", event.to_dict())

    def _all(self, kind: HookEvent, payload: dict[str, Any], tool: str | None = None) -> None:
        for spec in getattr(self.config, kind):
            if tool is None or spec.matches(tool):
                self._run(kind, spec, payload)

    def _run(self, kind: HookEvent, spec: HookSpec, payload: dict[str, Any]) -> HookRun:
        full = {**payload, "event": kind, "session_id": self.session_id, "workspace": str(self.workspace)}
        env = {"HAME_HOOK_EVENT": kind, "HAME_SESSION_ID": self.session_id, "HAME_WORKSPACE": str(self.workspace)}
        run = run_command(spec, full, self.workspace, env)
        if run.problem or run.code not in (0, BLOCK_EXIT) or (run.code == BLOCK_EXIT and kind != "pre_tool"):
            self.notice(_failure(kind, spec, run))
        return run


def _failure(kind: HookEvent, spec: HookSpec, run: HookRun) -> str:
    what = run.problem or f"exited with code {run.code}"
    tail = "\n".join(run.stderr.strip().splitlines()[-3:])
    return f"{kind} hook `{spec.command[:80]}` {what}" + (f": {tail}" if tail else "")
