"""The REPL: the interactive one (interactive.py: prompt_toolkit + rich) on a terminal, else this plain loop
(stdin not a TTY: tasks read line by line, progress on stderr, the answer on stdout)."""

from __future__ import annotations

import sys

from ..app import Run, Settings
from ..events import Event, TextDelta
from .approve import ask_at_terminal
from .commands import handle
from .headless import Progress


def repl(settings: Settings, first: str | None = None) -> int:
    """`first`: a task to run before the first prompt (`hame "TASK"`)."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from .interactive import interactive_repl

        return interactive_repl(settings, first)
    return plain_repl(settings, first)


def plain_repl(settings: Settings, first: str | None = None) -> int:
    settings.sinks = [Progress(), _stream_text]
    if sys.stdin.isatty():
        settings.asker = ask_at_terminal
    with Run(settings) as session:
        print(f"hame — {session.model_name} in {session.workspace}. Ctrl-D to quit.", file=sys.stderr)
        if settings.asker is None and settings.approval in ("ask", "auto-edit"):
            print(f"hame: stdin is not a terminal, so nobody can approve a call under --approval {settings.approval}:"
                  " such calls are refused; pass --approval full-auto (or auto-edit) to let them run",
                  file=sys.stderr)
        while True:
            if first is not None:
                task, first = first.strip(), None
            else:
                try:
                    task = input("\n> ").strip()
                except EOFError:
                    return 0
                except KeyboardInterrupt:
                    continue
            if not task:
                continue
            reply = handle(session, task)
            if reply is not None:
                if reply.quit:
                    return 0
                print(reply.text)
                continue
            result = session.run(task)
            print()
            if result.stop_reason != "completed":
                print(f"[stopped: {result.stop_reason}]", file=sys.stderr)


def _stream_text(event: Event) -> None:
    if isinstance(event, TextDelta):
        sys.stdout.write(event.text)
        sys.stdout.flush()
