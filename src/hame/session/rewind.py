"""`hame rewind SESSION --to STEP`: restore a session's workspace files to before STEP, after listing what will
change. It takes the session's lock (so never runs against a live session) and records the restore, and a note in
the working memory, in the session's transcript so a resumed run knows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import UsageError
from .checkpoints import describe
from .state import SessionState
from .store import SessionFiles, find_session, session_info
from .transcript import Transcript

Confirm = Callable[[str], bool]


def rewind(ref: str, to_step: int | None, confirm: Confirm | None, out: Callable[[str], None]) -> int:
    """`confirm` None: list only. Returns the exit code."""
    files = find_session(ref, Path.cwd())
    workspace = _workspace(files)
    transcript = Transcript(files.transcript)
    state = SessionState(files, workspace, transcript.write)
    try:
        return _rewind(state, files, to_step, confirm, out)
    finally:
        state.close()
        transcript.close()


def _rewind(state: SessionState, files: SessionFiles, to_step: int | None, confirm: Confirm | None,
            out: Callable[[str], None]) -> int:
    marks = state.checkpoints.marks
    if to_step is None:
        out("\n".join([f"checkpoints of session {files.id} (--to STEP restores the files to before STEP):",
                       *[f"  step {m.step:>3}  {m.commit[:12]}" for m in marks]]) if marks
            else f"session {files.id} has no checkpoints: none of its steps changed files")
        return 0
    mark = state.checkpoints.target(to_step)
    if mark is None:
        out(f"no step of session {files.id} from step {to_step} on changed files; nothing to rewind")
        return 0
    changes = state.checkpoints.preview(mark)
    if not changes:
        out(f"the files are already as they were before step {to_step}; nothing to do")
        return 0
    out("\n".join([f"rewind {state.checkpoints.repo.workspace} to before step {to_step} "
                   f"(checkpoint {mark.commit[:12]}, session {files.id}):", *describe(changes)]))
    if confirm is None or not confirm(f"restore {len(changes)} file(s)? [y/N] "):
        out("nothing changed" + ("; add --yes to apply" if confirm is None else ""))
        return 0
    done, saved = state.restore(mark)
    out(f"restored {len(done)} file(s); what they were just before is kept as commit {saved[:12]} in "
        f"{state.checkpoints.repo.git_dir}")
    return 0


def _workspace(files: SessionFiles) -> Path:
    info = session_info(files.transcript)
    workspace = Path(info.workspace) if info and info.workspace else None
    if workspace is None or not workspace.is_dir():
        raise UsageError(f"the workspace of session {files.id} ({workspace}) is not a directory any more")
    return workspace
