"""The tool seam: a named tool with a pydantic argument model, a description built from its real limits, and a
flag saying whether it changes anything. Validation happens here, once, before any tool code runs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ToolError
from ..sandbox.command import CommandResult, run_command


class Args(BaseModel):
    """Base of every tool's arguments: unknown keys are ignored (small models add them), types are coerced."""

    model_config = ConfigDict(extra="ignore")


@dataclass
class FileView:
    """What the model last saw of a file: used to dedupe re-reads and to refuse edits of a stale view."""

    mtime_ns: int
    size: int
    step: int
    ranges: set[tuple[int, int]] = field(default_factory=set)


WriteGuard = Callable[[str, "str | None", str, Path], "str | None"]
"""(path, old content or None, new content, workspace) -> why the write is refused, or None."""
WriteFilter = Callable[[str, "str | None", str, Path], "tuple[str, list[str]]"]
"""(path, old content or None, new content, workspace) -> (the content to write, notes for the model)."""


@dataclass
class ToolContext:
    workspace: Path
    session_dir: Path | None = None
    sandbox: str = "none"
    network: bool = False
    env_allow: tuple[str, ...] = ()  # variables shell commands get beyond the safe list
    read_denied: Callable[[str], str | None] | None = None  # the deny rule hiding a file from reading tools
    shell_timeout_cap: int = 600
    step: int = 0
    seen: dict[str, FileView] = field(default_factory=dict)
    files_changed: list[str] = field(default_factory=list)
    confirmed_writes: set[tuple[str, str]] = field(default_factory=set)  # destructive writes warned about once
    number_lines: bool = True  # read_file prefixes line numbers (small models copy them into whole-file writes)
    can_edit: bool = True  # edit_file is offered: refusals of a whole-file write may suggest it
    write_guards: list[WriteGuard] = field(default_factory=list)  # refuse a write (the refusal the model sees)
    write_filters: list[WriteFilter] = field(default_factory=list)  # change what write_file writes, before guards
    write_fixes: list[WriteFilter] = field(default_factory=list)  # ... and after them

    def shell(self, command: str, timeout: float) -> CommandResult:
        """Run a shell command in the workspace as the model's commands run: in its sandbox, with its network and
        environment settings (raises SandboxError when the sandbox cannot run)."""
        return run_command(command, self.workspace, timeout=timeout, sandbox=self.sandbox,  # type: ignore[arg-type]
                           workspace=self.workspace, network=self.network, env_allow=self.env_allow)

    def changed(self, rel: str) -> None:
        if rel not in self.files_changed:
            self.files_changed.append(rel)

    @property
    def outputs_dir(self) -> Path | None:
        return self.session_dir / "outputs" if self.session_dir else None


class Tool(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    Args: ClassVar[type[Args]]
    mutating: ClassVar[bool] = False
    concurrent: ClassVar[bool] = False  # calls of it in one turn may run at once, in threads (subagents)

    @abstractmethod
    def run(self, args: Any, ctx: ToolContext) -> str: ...

    def cancel(self) -> None:
        """Stop work this tool runs in other threads (Ctrl-C during concurrent calls); most tools have none."""
        return None

    def parameters(self) -> dict[str, Any]:
        return _clean_schema(self.Args.model_json_schema())

    def schema(self) -> dict[str, Any]:
        """The OpenAI function-calling schema of this tool."""
        return {"type": "function",
                "function": {"name": self.name, "description": self.description, "parameters": self.parameters()}}

    def validate(self, arguments: dict[str, Any] | None) -> Any:
        if arguments is None:
            raise ToolError(f"Arguments for {self.name} must be a JSON object. Expected: {self.signature()}")
        try:
            return self.Args.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                                 for e in exc.errors())
            raise ToolError(f"Invalid arguments for {self.name}: {problems}. Expected: {self.signature()}") from None

    def signature(self) -> str:
        props = self.parameters().get("properties", {})
        required = set(self.parameters().get("required", []))
        parts = [p if p in required else f"{p}?" for p in props]
        return f"{self.name}({', '.join(parts)})"


Gate = Callable[[Tool, dict[str, Any]], str | None]
"""Decides whether a call may run: None to run it, else the refusal the model sees (permissions, hooks)."""


def _clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's titles: they cost prompt tokens and tell the model nothing."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title":
            continue
        if isinstance(value, dict):
            value = _clean_schema(value) if key != "properties" else {k: _clean_schema(v) for k, v in value.items()}
        out[key] = value
    return out
