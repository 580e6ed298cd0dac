"""run_shell: a shell command in the workspace, in its own process group (sandboxed when configured),
killed whole on timeout. Long output is clipped by the loop, which keeps the full text retrievable."""

from __future__ import annotations

from pydantic import Field

from ..sandbox.command import run_command
from .base import Args, Tool, ToolContext


class ShellArgs(Args):
    command: str = Field(description="a bash command, run in the workspace root")
    timeout: int = Field(120, ge=1, le=3600, description="seconds before the command is killed")


class RunShell(Tool):
    name = "run_shell"
    description = "Run a bash command in the workspace root (e.g. run the tests); returns exit code and output."
    Args = ShellArgs
    mutating = True

    def run(self, args: ShellArgs, ctx: ToolContext) -> str:
        timeout = min(args.timeout, ctx.shell_timeout_cap)
        res = run_command(args.command, ctx.workspace, timeout=timeout, sandbox=ctx.sandbox,  # type: ignore[arg-type]
                          workspace=ctx.workspace, network=ctx.network, env_allow=ctx.env_allow)
        if res.timed_out:
            status = f"killed after {timeout}s timeout (with all its child processes)"
        else:
            status = f"exit code {res.exit_code}"
        output = res.output.rstrip("\n")
        return f"[{status}]\n{output}" if output else f"[{status}; no output]"
