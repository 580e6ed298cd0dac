"""The workspace snapshot on real temp repositories, with and without git."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from hame.context.repomap import estimate_tokens
from hame.context.workspace import describe_branch, git_status_short, workspace_snapshot

from ..conftest import GIT_ENV, make_workspace


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def test_snapshot_in_git_repo(tmp_path: Path) -> None:
    files = {"pyproject.toml": "[tool.pytest.ini_options]\n", "src/app/core.py": "x = 1\n", "tests/test_a.py": ""}
    root = make_workspace(tmp_path / "repo", files)
    (root / "src/app/core.py").write_text("x = 2\n")
    (root / "notes.txt").write_text("new\n")
    git(root, "commit", "-qam", "second commit")
    (root / "src/app/core.py").write_text("x = 3\n")

    snap = workspace_snapshot(root)

    assert f"Workspace: {root.resolve()}" in snap
    assert "Git: branch main; default branch main" in snap
    assert " M src/app/core.py" in snap and "?? notes.txt" in snap
    assert "second commit" in snap.split("Recent commits:")[1]
    assert "Layout: src/ tests/ notes.txt pyproject.toml" in snap
    assert "Languages: Python (2 files)" in snap
    assert "Tests: pytest" in snap
    assert estimate_tokens(snap) < 250


def test_snapshot_outside_git(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "plain", {"main.go": "package main\n", "go.mod": "module x\n"}, git=False)
    snap = workspace_snapshot(root)
    assert "Git: not a git repository" in snap
    assert "Languages: Go (1 files)" in snap
    assert "Tests: go test ./..." in snap
    assert git_status_short(root) == ""


def test_status_is_capped(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "repo", {"a.txt": "a\n"})
    for i in range(25):
        (root / f"new{i:02d}.txt").write_text("x\n")
    status = git_status_short(root)
    assert status.count("\n") == 20 and status.endswith("... +5 more")
    assert "... +5 more" in workspace_snapshot(root)


def test_test_hints_for_node_make_and_cargo(tmp_path: Path) -> None:
    files = {
        "package.json": json.dumps({"scripts": {"test": "vitest run"}}),
        "Makefile": "build:\n\tcc x.c\ntest: build\n\t./run\n",
        "Cargo.toml": "[package]\nname='x'\n",
    }
    snap = workspace_snapshot(make_workspace(tmp_path / "multi", files, git=False))
    assert "Tests: npm test (vitest run); make test; cargo test" in snap


def test_layout_is_capped(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "wide", {f"f{i:02d}.md": "" for i in range(20)}, git=False)
    assert "(+5 more)" in workspace_snapshot(root)


def test_describe_branch_headers() -> None:
    assert describe_branch("## main") == "branch main"
    assert describe_branch("## feat...origin/feat [ahead 2]") == "branch feat (origin/feat, ahead 2)"
    assert describe_branch("## No commits yet on main") == "branch main (no commits yet)"
    assert describe_branch("## HEAD (no branch)") == "detached HEAD"


def test_default_branch_comes_from_origin_head(tmp_path: Path) -> None:
    origin = make_workspace(tmp_path / "origin", {"a.txt": "a\n"})
    git(origin, "branch", "-m", "main", "trunk")
    git(tmp_path, "clone", "-q", str(origin), "clone")
    clone = tmp_path / "clone"
    git(clone, "checkout", "-qb", "feature")
    assert "Git: branch feature; default branch trunk" in workspace_snapshot(clone)
