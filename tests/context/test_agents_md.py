"""AGENTS.md / CLAUDE.md discovery: user config, repo root, folders down to cwd, and folders touched later."""

from __future__ import annotations

from pathlib import Path

import pytest

from hame.context.agents_md import InstructionTracker, instruction_files, render_instructions

from ..conftest import make_workspace


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    files = {
        "AGENTS.md": "root rules",
        "CLAUDE.md": "ignored: AGENTS.md wins in the same folder",
        "pkg/CLAUDE.md": "pkg rules (claude fallback)",
        "pkg/sub/AGENTS.md": "sub rules",
        "pkg/sub/code.py": "x = 1\n",
        "other/AGENTS.md": "other rules",
        "other/deep/x.py": "y = 2\n",
        "plain/x.py": "",
    }
    return make_workspace(tmp_path / "repo", files)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    d = tmp_path / "config" / "hame"
    d.mkdir(parents=True)
    (d / "AGENTS.md").write_text("user rules")
    return d


def texts(files: list) -> list[str]:
    return [f.text for f in files]


def test_order_user_then_root_then_down_to_cwd(repo: Path, config_dir: Path) -> None:
    found = instruction_files(repo, repo / "pkg" / "sub", user_config_dir=config_dir)
    assert texts(found) == ["user rules", "root rules", "pkg rules (claude fallback)", "sub rules"]
    assert found[2].path == (repo / "pkg" / "CLAUDE.md").resolve()
    assert not any(f.truncated for f in found)


def test_cwd_at_root_sees_only_root(repo: Path, config_dir: Path) -> None:
    assert texts(instruction_files(repo, repo, user_config_dir=config_dir)) == ["user rules", "root rules"]


def test_xdg_config_home_is_respected(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "xdg" / "hame").mkdir(parents=True)
    (tmp_path / "xdg" / "hame" / "AGENTS.md").write_text("xdg rules")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert texts(instruction_files(repo, repo)) == ["xdg rules", "root rules"]


def test_long_file_is_cut_with_visible_note(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "r", {"AGENTS.md": "line of rules\n" * 1000}, git=False)
    (only,) = instruction_files(root, root, user_config_dir=tmp_path / "none", cap_chars=500)
    body, note = only.text.rsplit("\n", 1)
    assert only.truncated and len(body) <= 500 and body.endswith("line of rules")
    assert note == f"[... truncated: {14_000 - len(body) - 1} more chars in {(root / 'AGENTS.md').resolve()}]"


def test_tracker_adds_subfolder_files_on_first_touch(repo: Path, config_dir: Path) -> None:
    tracker = InstructionTracker(repo, repo, user_config_dir=config_dir)
    assert texts(tracker.initial) == ["user rules", "root rules"]
    assert texts(tracker.on_touch(repo / "pkg" / "sub" / "code.py")) == ["pkg rules (claude fallback)", "sub rules"]
    assert tracker.on_touch(repo / "pkg" / "sub" / "code.py") == []
    assert texts(tracker.on_touch(Path("other/deep/x.py"))) == ["other rules"]
    assert tracker.on_touch(repo / "plain" / "x.py") == []
    assert tracker.on_touch(repo.parent / "elsewhere.py") == []


def test_tracker_started_in_subfolder_does_not_repeat(repo: Path, config_dir: Path) -> None:
    tracker = InstructionTracker(repo, repo / "pkg", user_config_dir=config_dir)
    assert texts(tracker.initial)[-1] == "pkg rules (claude fallback)"
    assert texts(tracker.on_touch(Path("sub/code.py"))) == ["sub rules"]


def test_render_heads_each_file_with_its_path(repo: Path, config_dir: Path) -> None:
    text = render_instructions(instruction_files(repo, repo, user_config_dir=config_dir))
    assert text.index("user rules") < text.index(f"# Instructions from {(repo / 'AGENTS.md').resolve()}")
    assert render_instructions([]) == ""
