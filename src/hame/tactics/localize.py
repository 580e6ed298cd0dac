"""Localize before asking: on a repository task whose code is not attached (the task names no file to change, or
only files too large to attach), the request starts with the definitions localization ranks first — with the
failing tests and their errors — instead of whole files, says which files they come from and what was left out,
and makes the best ranked file the one a reply without a path writes (context/repo_view.py). A test file the task
names whose failing tests the view shows is then not attached again (a line says so); localization reads the
task's own words, not the files attached to it."""

from __future__ import annotations

from ..context.localize import Runner
from ..context.mentions import Attached
from ..context.repo_view import RepoView, looks_like_repository, repo_view
from ..sandbox.command import SandboxError
from ..tools.base import ToolContext
from .base import Tactic

BUDGET = 3000  # tokens of definitions and tests at most (the profile's `localize_tokens` option, when smaller)
HEAD = ("# Code the task is most likely about\nhame found these definitions from the task and the failing tests. "
        "They are parts of files, with their line numbers; not whole files. A long docstring is cut to its first "
        "words and `...`; hame keeps it whole.\n\n")
LEFT_OUT = "Left out: the rest of {files}. Read a part with read_file only if you need it.\n\n"
HOW_WHOLE = ("To change code, reply with the file's path on one line ({path}), then one fenced block holding only "
             "the definitions you change, each complete (a method inside its `class` line) but without docstrings. "
             "hame puts them in place of the old ones and keeps the rest of the file and the docstrings. Do not "
             "write the whole file.")
HOW_CALL = ("To change code, call write_file for the file ({path}) with content holding only the definitions you "
            "change, each complete (a method inside its `class` line) but without docstrings. hame puts them in "
            "place of the old ones and keeps the rest of the file and the docstrings. Do not write the whole file.")


class Localize(Tactic):
    name = "localize"

    def frame(self, task: str) -> str:
        s = self.state
        if s.targets or not looks_like_repository(s.ctx.workspace):
            return task
        attached = s.attached if s.attached and s.attached.text in task else None
        budget = min(BUDGET, s.options.get("localize_tokens", BUDGET))
        words = attached.task if attached else task  # the task's own words, as bench/localize.py measures them
        view = repo_view(s.ctx.workspace, words, s.checker.command if s.checker else None, budget,
                         run=sandboxed(s.ctx))
        if view is None:
            return task
        s.targets, s.view = view.files[:1], view
        s.protocol.default_path = view.files[0]
        s.notice(f"localized: showing definitions from {', '.join(view.files)} instead of whole files")
        return self._framed(self._without_shown_tests(task, attached, view) if attached else task, view)

    def _without_shown_tests(self, task: str, attached: Attached, view: RepoView) -> str:
        """The task with the named test files whose failing tests the view shows left out of its attachments."""
        shown = [rel for rel, _ in attached.files if rel in view.tests]
        if not shown:
            return task
        return task.replace(attached.text, attached.tests_shown_above(shown, self.state.ctx.workspace).text)

    def _framed(self, task: str, view: RepoView) -> str:
        left = ", ".join(f"{p} ({view.lines[p]:,} lines)" for p in view.files)
        how = ""
        if self.state.definitions:
            how = "\n\n" + (HOW_WHOLE if self.state.protocol.mode == "whole" else HOW_CALL).format(path=view.files[0])
        body = task if "# Task\n" in task else "# Task\n" + task  # the task may come with named files' notes
        return HEAD + view.text + "\n\n" + LEFT_OUT.format(files=left) + body + how


def sandboxed(ctx: ToolContext) -> Runner:
    """Runs the check and the tracer as the check after a change runs: in the workspace's sandbox. A request after
    the first (the REPL, a resumed session) localizes code the model may have written."""
    def run(command: str, timeout: float) -> str:
        try:
            return ctx.shell(command, timeout).output
        except SandboxError as exc:
            return f"hame: the sandbox could not run `{command[:80]}`: {exc}"
    return run
