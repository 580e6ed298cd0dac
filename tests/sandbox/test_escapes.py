"""Escapes from the bubblewrap sandbox that worked before issue 29, tried as root and as an unprivileged user:
remounting / read-write, unmounting a hidden or read-only directory, renaming `.git`, creating `.hame`, reading
hame's config and state where XDG variables put them, and credentials in the environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hame.sandbox.command import bwrap_available

NOBODY = 65534
pytestmark = pytest.mark.skipif(bwrap_available() is not None, reason=f"bwrap unusable: {bwrap_available()}")
RUNNER = ("import sys; from pathlib import Path; from hame.sandbox.command import run_command; "
          "print(run_command(sys.argv[1], Path(sys.argv[2]), timeout=30, sandbox='bwrap').output)")


def _as_user_possible() -> bool:
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


@pytest.fixture(params=["root", "user"])
def who(request: pytest.FixtureRequest) -> str:
    if request.param == "root" and os.geteuid() != 0:
        pytest.skip("not running as root")
    if request.param == "user" and os.geteuid() == 0 and not _as_user_possible():
        pytest.skip("setpriv is missing, so the test cannot switch to an unprivileged user")
    return str(request.param)


@pytest.fixture
def outside() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="hame-escape-test-", dir="/var/tmp"))
    (base / "ws").mkdir()
    (base / "home/.ssh").mkdir(parents=True)
    (base / "home/.ssh/id_x").write_text("PRIVATE KEY")
    yield base
    shutil.rmtree(base, ignore_errors=True)


def sandboxed(who: str, script: str, base: Path, env: dict[str, str] | None = None) -> str:
    """Run `script` in the sandbox over `base/ws`, as root or as nobody (then `base` is handed to nobody)."""
    full = {**os.environ, "HOME": str(base / "home"), "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})}
    argv = [sys.executable, "-c", RUNNER, script, str(base / "ws")]
    if who == "user" and os.geteuid() == 0:
        subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(base)], check=True)
        argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]
    done = subprocess.run(argv, env=full, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    return done.stdout


def git_init(ws: Path) -> None:
    subprocess.run(["git", "init", "-q", str(ws)], check=True)


def test_no_capabilities_inside(who: str, outside: Path) -> None:
    out = sandboxed(who, "grep CapEff /proc/self/status", outside)
    assert out.split()[1] == "0000000000000000"


def test_remount_rw_does_not_open_the_filesystem(who: str, outside: Path) -> None:
    out = sandboxed(who, f"mount -o remount,rw / ; touch {outside}/escaped && echo wrote", outside)
    assert "wrote" not in out and not (outside / "escaped").exists()


def test_unmounting_a_hidden_directory_does_not_show_it(who: str, outside: Path) -> None:
    out = sandboxed(who, f"umount {outside}/home/.ssh; unshare -rm umount {outside}/home/.ssh; "
                         f"cat {outside}/home/.ssh/id_x; echo end", outside)
    assert out.strip().endswith("end") and "PRIVATE KEY" not in out


def test_unmounting_git_hooks_does_not_make_them_writable(who: str, outside: Path) -> None:
    ws = outside / "ws"
    git_init(ws)
    script = "umount .git/hooks; umount .git; echo 'touch pwned' > .git/hooks/pre-commit; echo end"
    assert sandboxed(who, script, outside).strip().endswith("end")
    assert not (ws / ".git/hooks/pre-commit").exists()


def test_renaming_git_does_not_unprotect_it(who: str, outside: Path) -> None:
    ws = outside / "ws"
    git_init(ws)
    script = ("mv .git .git.moved && cp -a .git.moved .git; "
              "printf '#!/bin/sh\\ntouch pwned\\n' > .git/hooks/pre-push && chmod +x .git/hooks/pre-push; "
              "git config core.fsmonitor 'touch pwned'; echo end")
    assert sandboxed(who, script, outside).strip().endswith("end")
    assert not (ws / ".git/hooks/pre-push").exists() and not (ws / ".git.moved").exists()
    assert "fsmonitor" not in (ws / ".git/config").read_text()


def test_a_missing_hame_dir_cannot_be_created(who: str, outside: Path) -> None:
    ws = outside / "ws"
    script = ("mkdir -p .hame; printf '[[hooks.session_start]]\\ncommand = \"touch pwned\"\\n' > .hame/config.toml; "
              "echo end")
    assert sandboxed(who, script, outside).strip().endswith("end")
    assert not (ws / ".hame").exists()


def test_an_existing_hame_dir_stays_read_only(who: str, outside: Path) -> None:
    ws = outside / "ws"
    (ws / ".hame").mkdir()
    sandboxed(who, "echo 'x = 1' > .hame/config.toml; rm -rf .hame; echo end", outside)
    assert (ws / ".hame").is_dir() and not (ws / ".hame/config.toml").exists()


def test_hame_config_and_state_are_hidden_wherever_xdg_puts_them(who: str, outside: Path) -> None:
    for name in ("xdg-config/hame", "xdg-state/hame", "xdg-cache/hame"):
        (outside / name).mkdir(parents=True)
        (outside / name / "secret.txt").write_text("HAME-PRIVATE")
    env = {"XDG_CONFIG_HOME": str(outside / "xdg-config"), "XDG_STATE_HOME": str(outside / "xdg-state"),
           "XDG_CACHE_HOME": str(outside / "xdg-cache")}
    out = sandboxed(who, f"cat {outside}/xdg-*/hame/secret.txt; echo end", outside, env)
    assert "HAME-PRIVATE" not in out and out.strip().endswith("end")


def test_environment_passes_only_the_allow_list(who: str, outside: Path) -> None:
    env = {"MYSQL_PWD": "p1", "SENTRY_DSN": "p2", "SLACK_WEBHOOK_URL": "p3", "APIKEY": "p4", "REDIS_URL": "p5",
           "LC_ALL": "C"}
    out = sandboxed(who, "env", outside, env)
    assert not any(f"p{i}" in out.split("=")[-1] or f"=p{i}\n" in out for i in range(1, 6))
    assert "LC_ALL=C" in out
