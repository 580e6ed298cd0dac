"""Slash commands of the interactive UIs, apart from any one UI: `handle(run, line)` returns the text to show,
or None when the line is a task for the agent. Errors a user can fix come back as text, never as a crash."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..app import Run
from ..errors import HameError
from ..session.checkpoints import describe
from ..session.memory import render
from ..session.store import list_sessions


@dataclass(frozen=True)
class Reply:
    text: str
    quit: bool = False


def handle(run: Run, line: str) -> Reply | None:
    words = line.strip().split()
    if not words or not _is_command(words[0]):
        return None
    command = COMMANDS.get(words[0])
    if command is None:
        return Reply(f"unknown command {words[0]}; /help lists them")
    try:
        return command[0](run, words[1:])
    except HameError as exc:
        return Reply(f"{words[0]}: {exc}")


def _is_command(word: str) -> bool:
    return word.startswith("/") and word[1:].isalpha()


def _help(run: Run, args: list[str]) -> Reply:
    return Reply("\n".join(f"{name:<10} {doc}" for name, (_, doc) in COMMANDS.items() if doc))


def _memory(run: Run, args: list[str]) -> Reply:
    return Reply(render(run.state.memory.record))


def _session(run: Run, args: list[str]) -> Reply:
    cp = run.state.checkpoints
    lines = [f"session     {run.files.id}", f"transcript  {run.files.transcript}", f"workspace   {run.workspace}",
             f"model       {run.model_name}", f"steps       {run.agent.steps}",
             f"checkpoints {len(cp.marks)}" + (f" (off: {cp.disabled})" if cp.disabled else ""),
             run.state.memory.summary()]
    return Reply("\n".join(lines))


def _reset(run: Run, args: list[str]) -> Reply:
    run.switch(None)
    run.start("")  # its transcript exists from now on: /resume, `hame sessions` and `hame export` find it
    return Reply(f"new session {run.files.id} (empty history and memory); the files are as they are")


def _resume(run: Run, args: list[str]) -> Reply:
    if not args:
        found = list_sessions(run.workspace)[:10]
        rows = [f"{i.id}  {time.strftime('%m-%d %H:%M', time.localtime(i.last_activity))}  {i.steps:>3} steps  "
                f"{i.task.splitlines()[0][:60] if i.task else ''}" for i in found]
        return Reply("\n".join(rows + ["/resume ID (or a prefix, or latest) switches to one"]) if rows
                     else "no sessions for this workspace")
    run.switch(args[0])
    run.start("")
    return Reply(f"resumed session {run.files.id} ({run.agent.steps} steps); type a task to carry on")


def _undo(run: Run, args: list[str]) -> Reply:
    mark = run.state.checkpoints.changed_undo_target()
    if mark is None:
        return Reply("nothing to undo: no step of this session changed files (or all are undone)")
    run.start("")  # the restore is recorded in the transcript
    changes, _saved = run.state.restore(mark)
    run.state.forget_undone(run.agent.ctx.files_changed)
    if not changes:
        return Reply(f"files already as they were before step {mark.step}; nothing changed")
    return Reply("\n".join([f"restored the files to before step {mark.step}:", *describe(changes, done=True)]))


def _compact(run: Run, args: list[str]) -> Reply:
    run.start("")  # the compaction is recorded in the transcript
    agent = run.agent
    if agent.compactor is None:
        return Reply("context reduction is off (HAME_CONTEXT_REDUCTION=off)")
    before = agent.compactor.tokens(agent.messages)
    if not agent.compact(force=True):
        return Reply(f"nothing to compact: the history ({before} tokens) has no turns before the last few")
    after = agent.compactor.tokens(agent.messages)
    return Reply(f"compacted the context: {before} -> {after} tokens of a {agent.compactor.budget.window} window")


def _usage(run: Run, args: list[str]) -> Reply:
    from .status import usage_report

    return Reply(usage_report(run.meter))


def _quit(run: Run, args: list[str]) -> Reply:
    return Reply("", quit=True)


Command = Callable[[Run, list[str]], Reply]
COMMANDS: dict[str, tuple[Command, str]] = {
    "/help": (_help, "this list"),
    "/memory": (_memory, "show the working memory (task, todo, decisions, notes, files touched)"),
    "/session": (_session, "show this session: id, transcript, steps, checkpoints"),
    "/undo": (_undo, "restore the files to before the last step that changed them (repeat to go further)"),
    "/usage": (_usage, "tokens and cost per step and for the session"),
    "/compact": (_compact, "summarise the older turns now to free context (it also happens by itself)"),
    "/reset": (_reset, "start a new session: empty history and memory"),
    "/resume": (_resume, "list sessions of this workspace, or /resume ID to switch to one"),
    "/exit": (_quit, "quit (also /quit, Ctrl-D)"),
    "/quit": (_quit, ""),
}
