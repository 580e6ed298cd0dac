"""run_command with real processes and real bubblewrap (bwrap tests skip where namespaces are unavailable)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hame.sandbox import command as sandbox
from hame.sandbox.command import (
    HEAD_BYTES,
    TAIL_BYTES,
    SandboxError,
    bwrap_available,
    default_hidden_paths,
    run_command,
    scrub_env,
)

needs_bwrap = pytest.mark.skipif(bwrap_available() is not None, reason=f"bwrap unusable: {bwrap_available()}")


@pytest.fixture
def outside() -> Iterator[Path]:
    """A scratch dir outside /tmp, so it stays visible inside the sandbox (whose /tmp is private)."""
    base = Path(tempfile.mkdtemp(prefix="hame-sandbox-test-", dir="/var/tmp"))
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def ws(outside: Path) -> Path:
    path = outside / "ws"
    path.mkdir()
    return path


def live_with(tag: str) -> list[int]:
    """Pids of live (non-zombie) processes whose command line mentions `tag`."""
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if tag.encode() in cmdline and state != "Z":
            found.append(int(name))
    return found


def test_runs_in_cwd_and_merges_output(tmp_path: Path) -> None:
    res = run_command("pwd; echo out; echo err >&2; exit 3", tmp_path, timeout=10)
    assert res == sandbox.CommandResult(exit_code=3, output=f"{tmp_path}\nout\nerr\n", timed_out=False, sandboxed=False)


def test_stdin_is_devnull(tmp_path: Path) -> None:
    res = run_command("cat; echo done", tmp_path, timeout=5)
    assert res.output == "done\n" and not res.timed_out


@pytest.mark.parametrize("kind", ["none", pytest.param("bwrap", marks=needs_bwrap)])
def test_timeout_kills_background_children(ws: Path, kind: sandbox.SandboxKind) -> None:
    tag = f"hame-test-{uuid.uuid4().hex}"
    start = time.monotonic()
    res = run_command(f"(exec -a {tag} sleep 300) & echo started; sleep 300", ws, timeout=1, sandbox=kind)
    assert res.timed_out and res.exit_code is None and res.output == "started\n"
    assert time.monotonic() - start < 5
    assert live_with(tag) == []


@pytest.mark.parametrize("kind", ["none", pytest.param("bwrap", marks=needs_bwrap)])
def test_background_child_holding_the_pipe_does_not_hang(ws: Path, kind: sandbox.SandboxKind) -> None:
    tag = f"hame-test-{uuid.uuid4().hex}"
    start = time.monotonic()
    res = run_command(f"(exec -a {tag} sleep 300) & echo done", ws, timeout=60, sandbox=kind)
    assert (res.exit_code, res.output, res.timed_out) == (0, "done\n", False)
    assert time.monotonic() - start < 5
    assert live_with(tag) == []


def test_children_that_escape_with_setsid_are_killed(tmp_path: Path) -> None:
    tag = f"hame-test-{uuid.uuid4().hex}"
    res = run_command(f"setsid bash -c 'exec -a {tag} sleep 300' >/dev/null 2>&1 & echo done", tmp_path, timeout=10)
    assert res.output == "done\n"
    assert live_with(tag) == []


def test_huge_output_is_capped_and_returns(tmp_path: Path) -> None:
    lines = run_command("seq 1 200000", tmp_path, timeout=30)
    assert lines.exit_code == 0 and lines.output.count("\n") == 200000
    huge = run_command("yes 0123456789 | head -c 60000000; echo; echo END", tmp_path, timeout=60)
    assert huge.exit_code == 0 and huge.output.endswith("END\n")
    assert len(huge.output) < HEAD_BYTES + TAIL_BYTES + 200
    assert "bytes of output omitted" in huge.output


def test_invalid_utf8_is_replaced(tmp_path: Path) -> None:
    assert run_command(r"printf 'a\377b'", tmp_path, timeout=5).output == "a\ufffdb"


def test_scrub_env_drops_credentials() -> None:
    env = {
        "PATH": "/bin", "HOME": "/h", "TOKENIZERS_PARALLELISM": "false", "OPENAI_API_KEY": "k", "GITHUB_TOKEN": "t",
        "AWS_REGION": "r", "DB_PASSWORD": "p", "MY_SECRET_THING": "s", "SSH_AUTH_SOCK": "/s", "anthropic_api_key": "k",
    }  # fmt: skip
    assert scrub_env(env) == {"PATH": "/bin", "HOME": "/h"}
    assert "GITHUB_TOKEN" in scrub_env(env, allow=["GITHUB_TOKEN"])


def test_scrub_env_keeps_only_the_allow_list() -> None:
    env = {"PATH": "/bin", "LC_ALL": "C", "MYSQL_PWD": "p", "SENTRY_DSN": "d", "SLACK_WEBHOOK_URL": "u",
           "APIKEY": "k", "REDIS_URL": "r", "TERM": "xterm"}
    assert scrub_env(env) == {"PATH": "/bin", "LC_ALL": "C", "TERM": "xterm"}
    assert scrub_env(env, allow=["REDIS_URL"])["REDIS_URL"] == "r"


@pytest.mark.parametrize("kind", ["none", pytest.param("bwrap", marks=needs_bwrap)])
def test_env_is_scrubbed_by_default(tmp_path: Path, kind: sandbox.SandboxKind) -> None:
    env = {"PATH": os.environ["PATH"], "OPENAI_API_KEY": "sk-live", "KEEP": "yes"}
    res = run_command('echo "[$OPENAI_API_KEY][$KEEP]"', tmp_path, timeout=10, sandbox=kind, env=env)
    assert res.output == "[][]\n"
    kept = run_command('echo "[$OPENAI_API_KEY]"', tmp_path, timeout=10, env=env, env_allow=["OPENAI_API_KEY"])
    assert kept.output == "[sk-live]\n"


@needs_bwrap
def test_writes_are_confined_to_the_workspace(outside: Path, ws: Path) -> None:
    marker = f"hame-test-{uuid.uuid4().hex}"
    script = (
        "touch inside && echo inside-ok; "
        f"touch {outside}/escaped || echo outside-blocked; "
        'touch "$HOME/x" || echo home-blocked; '
        f"echo hi > /tmp/{marker} && echo tmp-ok"
    )
    res = run_command(script, ws, timeout=10, sandbox="bwrap")
    for word in ("inside-ok", "outside-blocked", "home-blocked", "tmp-ok"):
        assert word in res.output
    assert res.sandboxed and (ws / "inside").exists()
    assert not (outside / "escaped").exists() and not (Path("/tmp") / marker).exists()


@needs_bwrap
def test_workspace_under_tmp_stays_writable(tmp_path: Path) -> None:
    res = run_command("echo ok > made && cat made", tmp_path, timeout=10, sandbox="bwrap")
    assert res.output == "ok\n" and (tmp_path / "made").read_text() == "ok\n"


@needs_bwrap
def test_git_hooks_stay_read_only(ws: Path) -> None:
    (ws / ".git/hooks").mkdir(parents=True)
    res = run_command("touch .git/hooks/pre-commit || echo blocked; touch src.py", ws, timeout=10, sandbox="bwrap")
    assert "blocked" in res.output and (ws / "src.py").exists()
    assert not (ws / ".git/hooks/pre-commit").exists()


def make_fake_home(home: Path) -> None:
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh/id_x").write_text("PRIVATE KEY")
    (home / ".netrc").write_text("machine x password y")
    (home / "visible.txt").write_text("public")


@needs_bwrap
def test_secrets_are_hidden(outside: Path, ws: Path) -> None:
    home = outside / "home"
    make_fake_home(home)
    script = f"cat {home}/visible.txt; cat {home}/.ssh/id_x; cat {home}/.netrc; echo end"
    hide = default_hidden_paths(home=home, state=outside / "state")
    res = run_command(script, ws, timeout=10, sandbox="bwrap", hide=hide)
    assert res.output.startswith("public") and "end" in res.output
    assert "PRIVATE KEY" not in res.output and "password" not in res.output


@needs_bwrap
def test_hidden_paths_default_to_home_and_state_dir(outside: Path, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, state = outside / "home", outside / "state"
    make_fake_home(home)
    state.mkdir()
    (state / "session.jsonl").write_text("transcript")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("HAME_STATE_DIR", str(state))
    res = run_command(f"cat ~/.ssh/id_x {state}/session.jsonl; cat ~/visible.txt", ws, timeout=10, sandbox="bwrap")
    assert res.output.endswith("public") and "PRIVATE" not in res.output and "transcript" not in res.output


@needs_bwrap
def test_network_is_cut_unless_allowed(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        port = server.getsockname()[1]
        probe = f"exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected || echo refused"
        assert run_command(probe, tmp_path, timeout=10, sandbox="bwrap").output.endswith("refused\n")
        assert run_command(probe, tmp_path, timeout=10, sandbox="bwrap", network=True).output == "connected\n"
        assert run_command(probe, tmp_path, timeout=10).output == "connected\n"


@needs_bwrap
def test_sandbox_has_its_own_pid_namespace(tmp_path: Path) -> None:
    res = run_command("ls /proc | grep -c '^[0-9]'", tmp_path, timeout=10, sandbox="bwrap")
    assert int(res.output) < 10


def test_unusable_bwrap_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "bwrap_available", lambda: "bubblewrap is not installed")
    with pytest.raises(SandboxError, match="not installed"):
        run_command("true", tmp_path, timeout=5, sandbox="bwrap")


def test_probe_reports_missing_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert "not installed" in (bwrap_available.__wrapped__() or "")


def test_closing_stdout_early_still_waits_for_the_exit_code(tmp_path: Path) -> None:
    res = run_command("exec >&- 2>&-; sleep 0.3; exit 7", tmp_path, timeout=10)
    assert (res.exit_code, res.timed_out) == (7, False)
    stuck = run_command("exec >&- 2>&-; sleep 300", tmp_path, timeout=1)
    assert stuck.timed_out and stuck.exit_code is None


@needs_bwrap
def test_unix_sockets_stay_connectable_read_only_unless_hidden(outside: Path, ws: Path) -> None:
    path = outside / "agent.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen(1)
        probe = f"python3 -c \"import socket; socket.socket(socket.AF_UNIX).connect('{path}'); print('connected')\""
        assert run_command(probe, ws, timeout=10, sandbox="bwrap", hide=[]).output == "connected\n"
        hidden = run_command(probe, ws, timeout=10, sandbox="bwrap", hide=[path])
        assert "connected" not in hidden.output and hidden.exit_code != 0


@needs_bwrap
def test_secrets_stay_hidden_when_the_workspace_is_home(outside: Path) -> None:
    home = outside / "home"
    make_fake_home(home)
    hide = default_hidden_paths(home=home, state=outside / "state")
    res = run_command(
        "cat .ssh/id_x; ls -A .ssh | wc -l; echo new > notes.txt", home, timeout=10, sandbox="bwrap", hide=hide
    )
    assert "PRIVATE" not in res.output and res.output.splitlines()[-1] == "0"
    assert (home / "notes.txt").read_text() == "new\n" and (home / ".ssh/id_x").read_text() == "PRIVATE KEY"
