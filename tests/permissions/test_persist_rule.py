"""persist_allow_rule edits real TOML files and keeps everything else in them."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from hame.permissions.rules import RuleError, Rules, persist_allow_rule
from hame.permissions.tomledit import ConfigEditError, toml_string

EXISTING = """\
# hame config — comments survive
model = "qwen2.5-coder"  # trailing comment

[permissions]
# what runs without asking
allow = [
    "read_file",  # reads are fine
    "run_shell(git status*)",
]
deny = ["run_shell(rm -rf *)"]

[ui]
theme = "dark"
"""


def test_adds_to_a_multiline_array_keeping_comments_and_other_tables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXISTING)
    os.chmod(path, 0o600)
    persist_allow_rule(path, "run_shell(npm test *)")
    text = path.read_text()
    assert "# hame config — comments survive" in text and "# reads are fine" in text and "[ui]" in text
    data = tomllib.loads(text)
    assert data["permissions"]["allow"] == ["read_file", "run_shell(git status*)", "run_shell(npm test *)"]
    assert data["ui"] == {"theme": "dark"} and data["model"] == "qwen2.5-coder"
    assert path.stat().st_mode & 0o777 == 0o600
    assert Rules.from_config(data).decide("run_shell", {"command": "npm test -x"}, True, "ask").action == "allow"


@pytest.mark.parametrize(
    ("before", "allow"),
    [
        ("", ["x_tool"]),
        ('model = "m"', ["x_tool"]),
        ('[permissions]\ndeny = ["a"]\n', ["x_tool"]),
        ('[permissions]\nallow = []\n[other]\nallow = ["keep"]\n', ["x_tool"]),
        ('[permissions]\nallow = ["a", "b"]  # c\n', ["a", "b", "x_tool"]),
        ('[permissions]\nallow = [\n  "a"\n]\n', ["a", "x_tool"]),
        ("[permissions]\nallow = ['lit]eral']\n", ["lit]eral", "x_tool"]),
        ('[permissions] # t\nallow = ["a",]', ["a", "x_tool"]),
    ],
)
def test_adds_in_every_shape(tmp_path: Path, before: str, allow: list[str]) -> None:
    path = tmp_path / "sub" / "config.toml"
    if before:
        path.parent.mkdir()
        path.write_text(before)
    old = tomllib.loads(before)
    persist_allow_rule(path, "x_tool")
    new = tomllib.loads(path.read_text())
    assert new["permissions"]["allow"] == allow
    assert {k: v for k, v in new.items() if k != "permissions"} == {k: v for k, v in old.items() if k != "permissions"}
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left behind


def test_adding_twice_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    persist_allow_rule(path, 'run_shell(echo "hi" *)')
    first = path.read_text()
    persist_allow_rule(path, 'run_shell(echo "hi" *)')
    assert path.read_text() == first
    assert tomllib.loads(first)["permissions"]["allow"] == ['run_shell(echo "hi" *)']


def test_refuses_what_it_cannot_edit_safely_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    for text in ('permissions.allow = ["a"]\n', 'permissions = { allow = ["a"] }\n', "not = [valid\n"):
        path.write_text(text)
        with pytest.raises(ConfigEditError):
            persist_allow_rule(path, "x_tool")
        assert path.read_text() == text


def test_rejects_malformed_rules(tmp_path: Path) -> None:
    with pytest.raises(RuleError):
        persist_allow_rule(tmp_path / "c.toml", "run_shell(git")
    assert not (tmp_path / "c.toml").exists()


def test_toml_string_escapes_round_trip() -> None:
    value = 'quote " back \\ tab \t nl \n del \x7f bell \x07 ünï 🙂'
    assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value
