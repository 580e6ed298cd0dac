"""Asking the user at the terminal whether a tool call may run: shows the command or the diff first."""

from __future__ import annotations

import sys

from ..permissions.approval import Answer, Question

CHOICES = {"y": "yes", "yes": "yes", "n": "no", "no": "no", "a": "always", "always": "always",
           "s": "always-save", "save": "always-save"}


def ask_at_terminal(question: Question) -> Answer:
    print(f"\n{question.tool} needs approval — {question.reason}", file=sys.stderr)
    print(question.preview.rstrip(), file=sys.stderr)
    while True:
        try:
            raw = input("Run it? [y]es / [n]o / [a]lways this session / [s]ave as always: ").strip().lower()
        except EOFError:
            return Answer("no", "no answer (input closed)")
        kind = CHOICES.get(raw or "n")
        if kind == "no":
            try:
                reason = input("Why not (sent to the model, optional): ").strip()
            except EOFError:
                reason = ""
            return Answer("no", reason)
        if kind:
            return Answer(kind)  # type: ignore[arg-type]
