"""`hame permissions explain` through the real CLI, with rules from the workspace's config."""

from __future__ import annotations

from pathlib import Path

from ..conftest import make_workspace


def test_explain_names_the_deciding_rule_per_part(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml":
                                          '[permissions]\nallow = ["run_shell(git status *)"]\n'
                                          'deny = ["run_shell(rm -rf *)"]\n'}, git=False)
    r = hame("permissions", "explain", "git status && rm -rf build", "--cwd", str(ws))
    assert r.returncode == 0, r.stderr
    assert "'git status' -> allow by run_shell(git status *)" in r.stdout
    assert "'rm -rf build' -> deny by run_shell(rm -rf *)" in r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith("decision: deny")
    r2 = hame("permissions", "explain", "edit_file(src/a.py)", "--cwd", str(ws), "--approval", "read-only")
    assert "decision: deny" in r2.stdout and "read-only" in r2.stdout


def test_bad_rule_in_config_is_a_usage_error(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": '[permissions]\nalow = ["x"]\n'}, git=False)
    r = hame("permissions", "explain", "ls", "--cwd", str(ws))
    assert r.returncode == 2 and "alow" in r.stderr
