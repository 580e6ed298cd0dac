"""A shadow git repository that snapshots a workspace without touching the user's own git state.

It lives under `$HAME_STATE_DIR/checkpoints/<workspace-hash>/` and is always driven as
`git --git-dir=<shadow> --work-tree=<workspace>`, with its own index and objects, so the user's `.git`, index,
stash and HEAD are never read or written (and a workspace need not be a git repository at all). The workspace's
`.gitignore` files apply as usual; its `.git/info/exclude` is copied in; files over a size cap are skipped.
Every operation holds the repository's lock, so two hame processes on one workspace take turns."""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..context.git import SAFE_GIT
from ..errors import HameError
from .lock import FileLock

SIZE_CAP = 5 * 1024 * 1024
LOCK_TIMEOUT_S = 60.0
GIT_TIMEOUT_S = 120.0
DEFAULT_EXCLUDES = ("__pycache__/", "*.pyc", "*.hame-tmp", "node_modules/", ".venv/", ".tox/", ".mypy_cache/",
                    ".pytest_cache/", ".ruff_cache/")
CONFIG = ("core.autocrlf=false", "core.safecrlf=false", "core.fsmonitor=false", "core.hooksPath=/dev/null",
          "commit.gpgsign=false", "core.quotepath=off", "gc.auto=0", "core.symlinks=true")


class ShadowError(HameError):
    """A git operation on the shadow repository failed."""


@dataclass(frozen=True)
class Snapshot:
    commit: str
    tree: str
    skipped: list[str]  # files over the size cap, left out


@dataclass(frozen=True)
class Change:
    status: str  # "added", "modified" or "deleted": what happened since the snapshot
    path: str


def workspace_key(workspace: Path) -> str:
    return hashlib.sha256(os.path.realpath(workspace).encode()).hexdigest()[:16]


class ShadowRepo:
    def __init__(self, root: Path, workspace: Path, size_cap: int = SIZE_CAP) -> None:
        self.workspace = Path(os.path.realpath(workspace))
        self.git_dir = root / workspace_key(self.workspace)
        self.lock = FileLock(root / f"{workspace_key(self.workspace)}.lock")
        self.size_cap = size_cap

    def snapshot(self, ref: str, message: str) -> Snapshot:
        """Commit the workspace as it is now onto `ref` (reusing the tip when nothing changed)."""
        with self._locked():
            tree, skipped = self._stage()
            return Snapshot(self._commit(ref, tree, message), tree, skipped)

    def changes_since(self, commit: str) -> list[Change]:
        """What changed in the workspace since `commit`, without changing anything."""
        with self._locked():
            tree, _ = self._stage()
            return self._diff(commit, tree)

    def restore(self, commit: str, ref: str) -> tuple[list[Change], str]:
        """Make the workspace's files byte-identical to `commit`; returns the changes undone and a commit (on
        `ref`) holding the state just before the restore."""
        with self._locked():
            tree, _ = self._stage()
            saved = self._commit(ref, tree, "before restore")
            changes = self._diff(commit, tree)
            self._apply(commit, changes)
            return changes, saved

    def _locked(self) -> FileLock:
        self.lock.acquire(LOCK_TIMEOUT_S, f"the checkpoint repository of {self.workspace}")
        self._clear_stale_locks()
        return self.lock

    def _clear_stale_locks(self) -> None:
        """git's own *.lock files left by a process killed mid-operation: under our lock nobody else is in."""
        names = ("index.lock", "HEAD.lock", "config.lock", "packed-refs.lock")
        stale = [self.git_dir / n for n in names] + list((self.git_dir / "refs").rglob("*.lock"))
        for path in stale:
            path.unlink(missing_ok=True)

    def _init(self) -> None:
        if (self.git_dir / "HEAD").exists():
            return
        self.git_dir.parent.mkdir(parents=True, exist_ok=True)
        self._git("init", "-q", "--bare", str(self.git_dir), work_tree=False)
        for item in CONFIG:
            key, value = item.split("=", 1)
            self._git("config", key, value)

    def _stage(self) -> tuple[str, list[str]]:
        """Bring the shadow index up to date with the workspace; returns the tree id and the skipped files."""
        self._init()
        self._write_excludes([])
        candidates = self._git("ls-files", "-z", "-o", "-m", "--exclude-standard").split("\0")
        big = sorted(p for p in candidates if p and self._too_big(p))
        if big:
            self._write_excludes(big)
            self._git("rm", "-q", "-f", "--cached", "--ignore-unmatch", "--pathspec-from-file=-", "--pathspec-file-nul",
                      stdin="\0".join(big))
        add = self._run(("add", "-A", "--ignore-errors"), None, True)
        if add.returncode != 0 and b"fatal:" in add.stderr:
            raise ShadowError(f"git add failed: {_text(add.stderr).strip()[:500]}")
        return self._git("write-tree").strip(), big

    def _too_big(self, rel: str) -> bool:
        try:
            st = os.lstat(self.workspace / rel)
        except OSError:
            return False
        return st.st_size > self.size_cap

    def _write_excludes(self, big: list[str]) -> None:
        lines = list(DEFAULT_EXCLUDES)
        user = self.workspace / ".git" / "info" / "exclude"
        if user.is_file():
            lines.append(user.read_text(encoding="utf-8", errors="replace"))
        lines += ["/" + _escape(p) for p in big]
        info = self.git_dir / "info"
        info.mkdir(exist_ok=True)
        (info / "exclude").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _commit(self, ref: str, tree: str, message: str) -> str:
        full = f"refs/hame/{ref}"
        tip = self._git("rev-parse", "-q", "--verify", f"{full}^{{commit}}", check=False).strip()
        if tip and self._git("rev-parse", f"{tip}^{{tree}}").strip() == tree:
            return tip
        commit = self._git("commit-tree", tree, *(["-p", tip] if tip else []), "-m", message).strip()
        self._git("update-ref", full, commit)
        return commit

    def _diff(self, commit: str, tree: str) -> list[Change]:
        out = self._git("diff-tree", "-r", "-z", "--no-renames", "--name-status", commit, tree).split("\0")
        names = {"A": "added", "D": "deleted"}
        return [Change(names.get(s[0], "modified"), p) for s, p in zip(out[::2], out[1::2], strict=False) if s]

    def _apply(self, commit: str, changes: list[Change]) -> None:
        for c in changes:
            if c.status == "added":
                self._remove(c.path)
        back = [c.path for c in changes if c.status != "added"]
        if back:
            self._git("checkout", commit, "--pathspec-from-file=-", "--pathspec-file-nul", stdin="\0".join(back))
        kept = set(self._git("ls-tree", "-r", "-z", "--name-only", "-d", commit).split("\0"))
        for c in changes:
            if c.status == "added":
                self._prune(Path(c.path).parent, kept)

    def _remove(self, rel: str) -> None:
        path = self.workspace / rel
        if path.is_symlink() or path.is_file():
            path.unlink()

    def _prune(self, rel: Path, kept: set[str]) -> None:
        """Remove directories left empty by removing added files, unless the snapshot had them."""
        while str(rel) not in (".", "") and str(rel) not in kept:
            try:
                (self.workspace / rel).rmdir()
            except OSError:
                return
            rel = rel.parent

    def _git(self, *args: str, stdin: str | None = None, check: bool = True, work_tree: bool = True) -> str:
        proc = self._run(args, stdin, work_tree)
        if check and proc.returncode != 0:
            raise ShadowError(f"git {args[0]} failed: {_text(proc.stderr).strip()[:500]}")
        return _text(proc.stdout)

    def _run(self, args: tuple[str, ...], stdin: str | None, work_tree: bool) -> subprocess.CompletedProcess[bytes]:
        where = [f"--git-dir={self.git_dir}", f"--work-tree={self.workspace}"] if work_tree else []
        try:
            return subprocess.run([*SAFE_GIT, *where, *args], cwd=self.workspace, env=_env(),
                                  input=(stdin or "").encode("utf-8", "surrogateescape"), capture_output=True,
                                  timeout=GIT_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ShadowError(f"git {args[0]} failed: {exc}") from None


def _env() -> dict[str, str]:
    """The environment without any GIT_* variable that could point git at the user's repository."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="hame", GIT_AUTHOR_EMAIL="hame@localhost", GIT_COMMITTER_NAME="hame",
               GIT_COMMITTER_EMAIL="hame@localhost", GIT_LITERAL_PATHSPECS="1", GIT_TERMINAL_PROMPT="0")
    return env


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def _escape(path: str) -> str:
    """A path as a literal gitignore pattern."""
    return "".join("\\" + ch if ch in "\\*?[]!# " else ch for ch in path)
