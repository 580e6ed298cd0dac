"""Run one shell command, optionally inside a bubblewrap sandbox.

`run_command` is the only way hame runs a shell command. It always:
- runs `bash -c COMMAND` (or `/bin/sh -c`) in a new session, stdin from /dev/null, stdout+stderr merged;
- keeps at most HEAD_BYTES + TAIL_BYTES of output in memory;
- stops reading at the deadline, even when a background child still holds the pipe;
- kills every process the command started when it finishes or times out: its process group, plus any
  process carrying the run's tag variable (which catches children that escaped with `setsid`).

With `sandbox="bwrap"` the command also sees the whole filesystem read-only except the workspace (and
`extra_writable`), a private /tmp, no network unless asked, its own PID and user namespaces with no
capabilities (so root cannot remount or unmount), the git directory and `.hame` read-only, and tmpfs / /dev/null
over secret files such as ~/.ssh. See docs/permissions.md for what this does and does not protect against.
"""

from __future__ import annotations

import functools
import os
import selectors
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from .protected import PROTECTED_NAMES, git_dirs, hame_dirs

HEAD_BYTES = 4 * 1024 * 1024
TAIL_BYTES = 1024 * 1024
DRAIN_GRACE_S = 0.25  # after the shell exits, how long to keep reading output that background children write
KILL_GRACE_S = 1.0  # between SIGTERM and SIGKILL
TAG_VAR = "HAME_RUN_TAG"

SandboxKind = Literal["bwrap", "none"]

# Commands get only these variables (plus LC_*, plus what `sandbox_env` names): a deny-list always misses some.
SAFE_ENV: tuple[str, ...] = (
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR",
    "TMPDIR", "TZ", "PWD", "COLUMNS", "LINES", "EDITOR", "PAGER", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE",
    "VIRTUAL_ENV", "CONDA_PREFIX", "GOPATH", "GOROOT", "GOFLAGS", "CARGO_HOME", "RUSTUP_HOME", "JAVA_HOME",
    "NODE_PATH", "CI",
)  # fmt: skip
SAFE_ENV_PREFIXES: tuple[str, ...] = ("LC_",)

SECRET_ENV_PATTERNS: tuple[str, ...] = (
    "*_API_KEY", "*_APIKEY", "API_KEY", "*_KEY", "*_KEY_ID", "*_TOKEN", "TOKEN", "*_PAT",
    "*SECRET*", "*PASSWORD*", "*PASSWD*", "*CREDENTIAL*", "*PRIVATE_KEY*",
    "AWS_*", "DATABASE_URL", "SSH_AUTH_SOCK", "GPG_AGENT_INFO",
)  # fmt: skip

HOME_SECRETS: tuple[str, ...] = (
    ".ssh", ".aws", ".gnupg", ".netrc", ".config/hame", ".config/gh", ".config/gcloud", ".azure", ".kube",
    ".docker/config.json", ".npmrc", ".pypirc", ".git-credentials", ".config/git/credentials", ".password-store",
    ".local/share/keyrings", ".cargo/credentials", ".cargo/credentials.toml", ".vault-token", ".pgpass",
)  # fmt: skip

# Sockets stay connectable on a read-only mount, so agent and daemon sockets are hidden as well.
SYSTEM_SECRETS: tuple[str, ...] = ("/run/docker.sock", "/var/run/docker.sock", "/run/podman")

# Every capability dropped, in a user namespace of its own that cannot make more: root cannot remount or unmount.
NO_PRIVILEGE: tuple[str, ...] = ("--unshare-user", "--disable-userns", "--cap-drop", "ALL")


class SandboxError(RuntimeError):
    """The requested sandbox cannot be used here (the message says why)."""


@dataclass(frozen=True)
class CommandResult:
    exit_code: int | None  # None when the command timed out
    output: str
    timed_out: bool
    sandboxed: bool


def scrub_env(env: Mapping[str, str], allow: Sequence[str] = ()) -> dict[str, str]:
    """Keep only the safe variables (SAFE_ENV, LC_*) that do not look like credentials, plus names in `allow`."""
    keep = set(allow)
    return {k: v for k, v in env.items() if k in keep or (_is_safe(k) and not _looks_secret(k))}


def _is_safe(name: str) -> bool:
    return name in SAFE_ENV or name.startswith(SAFE_ENV_PREFIXES)


def _looks_secret(name: str) -> bool:
    upper = name.upper()
    return any(fnmatchcase(upper, pattern) for pattern in SECRET_ENV_PATTERNS)


def default_hidden_paths(home: Path | None = None, state: Path | None = None) -> list[Path]:
    """Paths a sandboxed command must not see: credentials under `home`, hame's config, state and cache (wherever
    XDG_* and HAME_* variables put them), daemon sockets."""
    home = home or Path.home()
    runtime = Path(f"/run/user/{os.getuid()}")
    paths = [home / name for name in HOME_SECRETS]
    own = [state] if state is not None else hame_dirs()
    return [*paths, *own, runtime, *map(Path, SYSTEM_SECRETS)]


@functools.cache
def bwrap_available() -> str | None:
    """None when bubblewrap can create a sandbox here, else the reason it cannot (probed once)."""
    binary = shutil.which("bwrap")
    if binary is None:
        return "bubblewrap is not installed (the `bwrap` binary is not on PATH; Debian/Ubuntu: apt install bubblewrap)"
    probe = [binary, "--ro-bind", "/", "/", *NO_PRIVILEGE, "--unshare-net", "--unshare-pid", "--die-with-parent",
             "--", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap could not be started: {exc}"
    if done.returncode != 0:
        detail = done.stderr.strip() or f"exit code {done.returncode}"
        return f"bwrap cannot create namespaces here ({detail}); user namespaces may be disabled"
    return None


def run_command(
    command: str,
    cwd: Path,
    *,
    timeout: float,
    sandbox: SandboxKind = "none",
    workspace: Path | None = None,
    network: bool = False,
    env: Mapping[str, str] | None = None,
    extra_writable: Sequence[Path] = (),
    hide: Sequence[Path] | None = None,
    env_allow: Sequence[str] = (),
    scrub: bool = True,
) -> CommandResult:
    """Run `command` with a shell in `cwd`; see the module docstring. Raises SandboxError if bwrap is unusable.

    `env` defaults to os.environ; only its allow-listed variables are kept unless `scrub=False` (names in
    `env_allow` kept too).
    `workspace` (default: `cwd`) is the only writable tree under bwrap; `hide` defaults to default_hidden_paths().
    """
    tag = uuid.uuid4().hex
    child_env = dict(os.environ if env is None else env)
    child_env = scrub_env(child_env, env_allow) if scrub else child_env
    child_env[TAG_VAR] = tag
    argv = [_shell(), "-c", command]
    if sandbox == "bwrap":
        reason = bwrap_available()
        if reason is not None:
            raise SandboxError(reason)
        ws = workspace or cwd
        hidden = default_hidden_paths() if hide is None else hide
        missing = placeholders(ws.resolve())
        argv = bwrap_argv(cwd, ws, network=network, extra_writable=extra_writable, hide=hidden) + argv
        try:
            return _run(argv, cwd, child_env, timeout, tag, sandboxed=True)
        finally:
            _remove_placeholders(missing)
    return _run(argv, cwd, child_env, timeout, tag, sandboxed=False)


def _shell() -> str:
    return shutil.which("bash") or "/bin/sh"


def bwrap_argv(
    cwd: Path, workspace: Path, *, network: bool, extra_writable: Sequence[Path], hide: Sequence[Path]
) -> list[str]:
    """The bwrap prefix for one command. Later mounts win, so hiding comes last."""
    ws = workspace.resolve()
    binary = shutil.which("bwrap") or "bwrap"
    argv = [binary, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for path in (ws, *(p.resolve() for p in extra_writable if p.exists())):
        argv += ["--bind", str(path), str(path)]
    argv += protected_mounts(ws)
    for path in _existing_hidden(hide, ws):
        argv += ["--tmpfs", str(path)] if path.is_dir() else ["--ro-bind", "/dev/null", str(path)]
    if not network:
        argv.append("--unshare-net")
    argv += [*NO_PRIVILEGE, "--unshare-pid", "--die-with-parent", "--new-session", "--chdir", str(cwd.resolve()),
             "--"]
    return argv


def protected_mounts(ws: Path) -> list[str]:
    """Read-only mounts over the git directory (by its real path, so renaming `.git` cannot unprotect it) and
    `.hame`; where one is missing, an empty read-only directory takes its place so it cannot be created."""
    argv: list[str] = []
    for gd in git_dirs(ws):
        argv += ["--ro-bind", str(gd), str(gd)]
    for name in PROTECTED_NAMES:
        path = ws / name
        if not path.exists() and not path.is_symlink():
            argv += ["--tmpfs", str(path), "--remount-ro", str(path)]
        elif name != ".git" or path.is_file():
            argv += ["--ro-bind", str(path), str(path)]
    return argv


def placeholders(ws: Path) -> list[Path]:
    """The protected names missing from `ws`: bwrap leaves an empty directory there, removed after the command."""
    return [ws / name for name in PROTECTED_NAMES if not (ws / name).exists() and not (ws / name).is_symlink()]


def _remove_placeholders(paths: Sequence[Path]) -> None:
    for path in paths:
        try:
            path.rmdir()
        except OSError:
            pass


def _existing_hidden(hide: Sequence[Path], workspace: Path) -> list[Path]:
    """Hidden paths that exist, minus any that contain the workspace (hiding those would hide the workspace)."""
    found = [p.resolve() for p in hide if p.exists() or p.is_symlink()]
    return [p for p in dict.fromkeys(found) if p.exists() and not workspace.is_relative_to(p)]


def _run(
    argv: list[str], cwd: Path, env: dict[str, str], timeout: float, tag: str, *, sandboxed: bool
) -> CommandResult:
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    capture = _Capture()
    try:
        timed_out = _pump(proc, proc.stdout.fileno(), time.monotonic() + timeout, capture)
    finally:
        _kill_all(proc, tag)
        proc.stdout.close()
    code = proc.wait()
    output = capture.text()
    return CommandResult(exit_code=None if timed_out else code, output=output, timed_out=timed_out, sandboxed=sandboxed)


class _Capture:
    """Keeps the first HEAD_BYTES and the last TAIL_BYTES of a stream, and counts what it dropped."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        room = HEAD_BYTES - len(self.head)
        self.head += chunk[:room]
        self.tail += chunk[room:] if room > 0 else chunk
        excess = len(self.tail) - TAIL_BYTES
        if excess > 0:
            del self.tail[:excess]
            self.dropped += excess

    def text(self) -> str:
        head = self.head.decode(errors="replace")
        if not self.dropped:
            return head + self.tail.decode(errors="replace")
        note = f"\n[... {self.dropped} bytes of output omitted ...]\n"
        return head + note + self.tail.decode(errors="replace")


def _pump(proc: subprocess.Popen[bytes], fd: int, deadline: float, capture: _Capture) -> bool:
    """Read output until EOF, or a short grace after the shell exits, or the deadline. True if timed out."""
    exited_at: float | None = None
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if exited_at is None and _has_exited(proc.pid):
                exited_at = now
            limit = deadline if exited_at is None else min(deadline, exited_at + DRAIN_GRACE_S)
            if now >= limit:
                return exited_at is None
            if sel.select(min(limit - now, 0.05)):
                chunk = os.read(fd, 65536)
                if not chunk:
                    return not _wait_exit(proc.pid, deadline)
                capture.add(chunk)


def _wait_exit(pid: int, deadline: float) -> bool:
    """After EOF: wait (without reaping) for the shell to exit, until the deadline. True if it exited."""
    while not _has_exited(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def _has_exited(pid: int) -> bool:
    """Whether the child exited, without reaping it, so its pid (= our process group id) stays reserved."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:  # already reaped elsewhere
        return True
    return info is not None


def _kill_all(proc: subprocess.Popen[bytes], tag: str) -> None:
    """SIGTERM, then SIGKILL, the command's process group and every process carrying its tag."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        _signal_group(proc.pid, sig)
        for pid in _tagged_pids(tag):
            _signal_pid(pid, sig)
        if _wait_gone(proc, tag, KILL_GRACE_S if sig == signal.SIGTERM else 0.5):
            return


def _wait_gone(proc: subprocess.Popen[bytes], tag: str, grace: float) -> bool:
    end = time.monotonic() + grace
    while True:
        if _has_exited(proc.pid) and not _group_alive(proc.pid) and not _tagged_pids(tag):
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.02)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_pid(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process is in process group `pgid`."""
    for pid in _pids():
        fields = _stat_fields(pid)
        if fields is not None and fields[1] == pgid and fields[0] != "Z":
            return True
    return False


def _stat_fields(pid: int) -> tuple[str, int] | None:
    """(state, process group) from /proc/PID/stat, or None if the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = raw[raw.rfind(")") + 2 :].split()
    return rest[0], int(rest[2])


def _tagged_pids(tag: str) -> list[int]:
    marker = f"{TAG_VAR}={tag}".encode()
    found = []
    for pid in _pids():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        fields = _stat_fields(pid)
        if marker in environ.split(b"\0") and fields is not None and fields[0] != "Z":
            found.append(pid)
    return found


def _pids() -> list[int]:
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    own = os.getpid()
    return [int(n) for n in names if n.isdigit() and int(n) != own]
