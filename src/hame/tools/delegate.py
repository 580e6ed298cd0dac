"""delegate: hand self-contained tasks to subagents with a fresh context and their own budget, and get back a
concise report from each (agent/delegate.py runs them). `Unavailable` stands in for a tool a subagent may not
use: the schema the model sees stays the same (so the prompt prefix matches the parent's), the call is refused."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import Field, model_validator

from ..errors import ToolError
from .base import Args, Tool, ToolContext

MAX_TASKS = 8
ToolsMode = Literal["read-only", "all"]


class ChildLimits(Protocol):
    """The limits the tool's description states: a child's step budget and how many run at once."""

    @property
    def max_steps(self) -> int: ...
    @property
    def concurrency(self) -> int: ...


class Delegator(Protocol):
    """What the tool needs from whatever runs the children (agent/delegate.py implements it, a layer above)."""

    @property
    def config(self) -> ChildLimits: ...
    def run(self, tasks: list[str], mode: ToolsMode) -> str: ...
    def cancel(self) -> None: ...


class DelegateArgs(Args):
    task: str | list[str] = Field(description="a self-contained task with everything the subagent needs to know; "
                                              f"or a list of up to {MAX_TASKS} independent tasks")
    tools: ToolsMode = Field("read-only", description="read-only: list, read and search only; "
                                               "all: also edit files and run commands")

    @model_validator(mode="before")
    @classmethod
    def _tasks_alias(cls, data: Any) -> Any:
        if isinstance(data, dict) and "task" not in data and "tasks" in data:
            return {**data, "task": data["tasks"]}
        return data


class Delegate(Tool):
    name = "delegate"
    Args = DelegateArgs
    mutating = False  # a child that may write asks the gate for each of its own changes
    concurrent = True

    def __init__(self, delegator: Delegator) -> None:
        self.delegator = delegator
        c = delegator.config
        self.description = (  # type: ignore[misc]  # built from the real limits
            "Hand a self-contained task (a broad search, an investigation, a question about the code) to a "
            f"subagent with a fresh context and a budget of {c.max_steps} steps; you get back its concise report "
            "and the files it looked at, not its whole exploration. Give a list of independent tasks to run "
            f"them in parallel (up to {c.concurrency} at once). tools='all' subagents may edit and run commands "
            "and run one at a time. Do small lookups yourself.")

    def run(self, args: DelegateArgs, ctx: ToolContext) -> str:
        tasks = [args.task] if isinstance(args.task, str) else list(args.task)
        tasks = [t.strip() for t in tasks]
        if not tasks or not all(tasks):
            raise ToolError("delegate needs a non-empty task, e.g. delegate(task='find where the config file is "
                            "parsed and list its keys').")
        if len(tasks) > MAX_TASKS:
            raise ToolError(f"delegate takes at most {MAX_TASKS} tasks at once and you sent {len(tasks)}; "
                            "send the most important ones first.")
        return self.delegator.run(tasks, args.tools)

    def cancel(self) -> None:
        self.delegator.cancel()


class Unavailable(Tool):
    """A parent's tool as a subagent sees it: same schema, every call refused with `reason`."""

    def __init__(self, tool: Tool, reason: str) -> None:
        self.inner = tool
        self.name = tool.name  # type: ignore[misc]
        self.description = tool.description  # type: ignore[misc]
        self.Args = tool.Args  # type: ignore[misc]
        self.reason = reason

    def schema(self) -> dict[str, Any]:
        return self.inner.schema()

    def parameters(self) -> dict[str, Any]:
        return self.inner.parameters()

    def validate(self, arguments: dict[str, Any] | None) -> Any:
        return Args()  # whatever the arguments, the call is refused

    def run(self, args: Any, ctx: ToolContext) -> str:
        raise ToolError(f"{self.name} is not available here: {self.reason}")
