"""The REPL's input line (prompt_toolkit): history in the state dir, multi-line input (Alt-Enter / Esc-Enter, or
a trailing backslash, for a newline; Enter sends), completion of slash commands, and the status line below."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.styles import Style

from ..session.transcript import state_dir
from .commands import COMMANDS

KEYS_HINT = "Enter send · Alt-Enter newline · Ctrl-C stop · Ctrl-D quit"
STYLE = Style.from_dict({"prompt": "ansicyan bold", "bottom-toolbar": "noreverse bg:#303030 #c0c0c0"})


class SlashCompleter(Completer):
    """Completes `/com` to the slash commands, with their one-line help."""

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if not text.startswith("/") or any(c.isspace() for c in text):
            return
        for name, (_, doc) in COMMANDS.items():
            if name.startswith(text) and doc:
                yield Completion(name, start_position=-len(text), display_meta=doc)


def key_bindings() -> KeyBindings:
    kb = KeyBindings()

    @kb.add("enter")
    @kb.add("c-j")  # Enter typed ahead while a task ran arrives as a line feed
    def _enter(event: KeyPressEvent) -> None:
        buf = event.current_buffer
        if buf.complete_state is not None and buf.complete_state.current_completion is not None:
            buf.apply_completion(buf.complete_state.current_completion)
        if buf.document.text_before_cursor.endswith("\\"):
            buf.delete_before_cursor(1)
            buf.insert_text("\n")
            return
        buf.validate_and_handle()

    @kb.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    return kb


def history_path() -> str:
    path = state_dir() / "history"
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def make_prompt(status: Callable[[], str]) -> PromptSession[str]:
    return PromptSession(
        message=[("class:prompt", "› ")], multiline=True, key_bindings=key_bindings(),
        history=FileHistory(history_path()), completer=SlashCompleter(), complete_while_typing=True,
        prompt_continuation=lambda width, line, soft: "… ".rjust(width),
        bottom_toolbar=lambda: f" {status()}  │  {KEYS_HINT}", style=STYLE)
