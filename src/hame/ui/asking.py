"""The interactive approval question: the command, or the change as a colored diff, then yes / no / always."""

from __future__ import annotations

from prompt_toolkit import PromptSession
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from rich.console import Console
from rich.text import Text

from ..permissions.approval import Answer, Question
from .approve import CHOICES
from .diffs import diff_text
from .view import TaskView

QUESTION = "Run it? [y]es / [n]o / [a]lways this session / [s]ave as always: "
ONE_KEY = KeyBindings()  # y / n / a / s answer at once, without Enter (Enter alone is no)


def _answer_with(key: str) -> None:
    @ONE_KEY.add(key)
    def _(event: KeyPressEvent) -> None:
        event.app.exit(result=key.lower())


for _key in "ynasYNAS":
    _answer_with(_key)


class RichAsker:
    def __init__(self, console: Console, view: TaskView) -> None:
        self.console = console
        self.view = view
        self.session: PromptSession[str] = PromptSession()

    def __call__(self, question: Question) -> Answer:
        with self.view.paused():
            self.console.print(Text(f"{question.tool} needs approval — {question.reason}", style="bold yellow"))
            self.console.print(diff_text(question.preview))
            return self._answer()

    def _answer(self) -> Answer:
        while True:
            try:
                kind = CHOICES.get(self.session.prompt(QUESTION, key_bindings=ONE_KEY).strip().lower() or "n")
            except EOFError:
                return Answer("no", "no answer (input closed)")
            if kind == "no":
                return Answer("no", self._reason())
            if kind:
                return Answer(kind)  # type: ignore[arg-type]

    def _reason(self) -> str:
        try:
            return self.session.prompt("Why not (sent to the model, optional): ").strip()
        except EOFError:
            return ""
