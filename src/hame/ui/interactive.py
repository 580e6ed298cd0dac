"""The interactive REPL on a terminal: prompt_toolkit input, rich output (streaming Markdown, colored diffs,
a spinner, a status line). Ctrl-C stops the current step and comes back to the prompt; Ctrl-D quits."""

from __future__ import annotations

import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.text import Text

from ..app import Run, Settings
from .asking import RichAsker
from .commands import handle
from .diffs import FileDiffs
from .prompt import make_prompt
from .status import status_line
from .view import TaskView


def interactive_repl(settings: Settings, first: str | None = None) -> int:
    console = Console(highlight=False)
    view = TaskView(console)
    settings.sinks = [*settings.sinks, view]
    settings.asker = RichAsker(console, view)
    with Run(settings) as session:
        view.bind(session.meter, FileDiffs(session.workspace), session.profile.tool_protocol != "constrained")
        prompt = make_prompt(lambda: status_line(session.model_name, session.meter, session.agent.steps))
        console.print(Text(f"hame — {session.model_name} in {session.workspace}. /help for commands, "
                           "Ctrl-D to quit.", style="dim"))
        if first and first.strip() and not _turn(session, first.strip(), view, console):
            return 0
        while True:
            try:
                line = prompt.prompt().strip()
            except KeyboardInterrupt:
                continue
            except EOFError:
                return 0
            if line and not _turn(session, line, view, console):
                return 0


def _turn(session: Run, line: str, view: TaskView, console: Console) -> bool:
    """Run a slash command or a task; False when the REPL should quit."""
    reply = handle(session, line)
    if reply is not None:
        if reply.text:
            console.print(reply.text, markup=False)
        return not reply.quit
    try:
        with _no_echo():
            result = session.run(line)
    except KeyboardInterrupt:
        result = None
    finally:
        view.idle()
    if result is None or result.stop_reason == "interrupted":
        console.print(Text("interrupted — the step was stopped; the session goes on", style="yellow"))
    elif result.stop_reason != "completed":
        why = f" ({result.error})" if result.error else ""
        console.print(Text(f"stopped: {result.stop_reason}{why}", style="yellow"))
    return True


@contextmanager
def _no_echo() -> Iterator[None]:
    """Keys typed while a task runs are kept for the next prompt but not echoed over the spinner."""
    fd = sys.stdin.fileno()
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        yield
        return
    quiet = list(saved)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
