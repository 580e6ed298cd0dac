"""The one place a tool call is allowed, asked about or refused, before any tool runs.

Rules and the approval mode decide (rules.py); an `ask` goes to the UI's asker, or is refused in a headless run
(nobody can answer, so it never hangs). "Always" answers add a session rule and, when asked, are saved to
`.hame/config.toml`. In full-auto, shell commands run unsandboxed only when the user chose `--sandbox none`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..tools.base import Tool
from .rules import Decision, Mode, Rules, persist_allow_rule, rule_from_answer

AnswerKind = Literal["yes", "no", "always", "always-save"]


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    reason: str = ""


@dataclass(frozen=True)
class Question:
    tool: str
    args: dict[str, Any]
    preview: str  # the command, or a diff of the change
    reason: str  # why hame asks


Asker = Callable[[Question], Answer]


@dataclass
class Gatekeeper:
    rules: Rules
    mode: Mode
    workspace: Path
    asker: Asker | None = None
    shell_needs_approval: str | None = None  # set when the sandbox is unavailable: why shell must ask
    project_config: Path | None = None
    session_allow: list[str] = field(default_factory=list)
    notice: Callable[[str], None] | None = None  # tells the user what an answer did (the file a rule went to)

    def decide(self, tool: Tool, args: dict[str, Any]) -> Decision:
        rules = self.rules
        if self.session_allow:
            rules = Rules(rules.allow + Rules.from_strings(self.session_allow).allow, rules.ask, rules.deny)
        decision = rules.decide(tool.name, args, tool.mutating, self.mode, workspace=self.workspace)
        if decision.action == "allow" and tool.name == "run_shell" and self.shell_needs_approval \
                and decision.rule is None:
            return Decision("ask", None, self.shell_needs_approval)
        return decision

    def __call__(self, tool: Tool, args: dict[str, Any]) -> str | None:
        """None to run the call, else the refusal the model sees."""
        decision = self.decide(tool, args)
        if decision.action == "allow":
            return None
        if decision.action == "deny":
            return decision.reason
        if self.asker is None:
            return (f"Refused: {decision.reason}, and this run is headless, so nobody can approve it. "
                    "Do something else, or finish and tell the user what needs their approval.")
        answer = self.asker(Question(tool.name, args, preview(tool.name, args, self.workspace), decision.reason))
        return self._apply(answer, tool.name, args)

    def _apply(self, answer: Answer, tool: str, args: dict[str, Any]) -> str | None:
        if answer.kind == "no":
            why = f" Their reason: {answer.reason}" if answer.reason else ""
            return f"The user declined this {tool} call.{why}"
        if answer.kind in ("always", "always-save"):
            rule = rule_from_answer(tool, args)
            self.session_allow.append(rule)
            if answer.kind == "always-save" and self.project_config is not None:
                persist_allow_rule(self.project_config, rule)
                if self.notice:
                    self.notice(f"saved the rule allow = [{json.dumps(rule)}] in {self.project_config}")
        return None


def preview(tool: str, args: dict[str, Any], workspace: Path) -> str:
    """What the user is asked about: the command, or a unified diff of the file change."""
    if tool == "run_shell":
        return f"$ {args.get('command', '')}"
    path = args.get("path")
    if not isinstance(path, str):
        return f"{tool}({args})"
    target = workspace / path
    old = target.read_text(errors="replace") if target.is_file() else ""
    if tool == "write_file":
        new = str(args.get("content", ""))
    elif tool == "edit_file":
        from ..tools.matching import apply_edit

        outcome = apply_edit(old, str(args.get("old_text", "")), str(args.get("new_text", "")),
                             bool(args.get("replace_all")))
        new = outcome.content if outcome.ok and outcome.content is not None else old
    else:
        return f"{tool}({path})"
    diff = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                f"a/{path}", f"b/{path}")
    return "".join(diff) or f"(no change to {path})"
