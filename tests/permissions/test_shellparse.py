"""The shell splitter: every simple command a line would run, and refusal of what it cannot read."""

from __future__ import annotations

import pytest

from hame.permissions.shellparse import Redirect, ShellParseError, split_commands
from hame.permissions.shellwords import command_forms, rule_prefix


def texts(command: str) -> list[str]:
    return [part.text for part in split_commands(command)]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("git status", ["git status"]),
        ("git status && rm -rf /", ["git status", "rm -rf /"]),
        ("a || b; c & d | e |& f\ng", ["a", "b", "c", "d", "e", "f", "g"]),
        ("(cd sub && make)", ["cd sub", "make"]),
        ("{ echo a; echo b; }", ["echo a", "echo b"]),
        ("echo $(rm -rf /)", ["rm -rf /", "echo $(rm -rf /)"]),
        ("echo `whoami`", ["whoami", "echo `whoami`"]),
        ('echo "id: $(id -u)"', ["id -u", "echo id: $(id -u)"]),
        ("echo '$(not run)'", ["echo $(not run)"]),
        ("echo ${X:-$(whoami)} $((1 + 2))", ["whoami", "echo ${X:-$(whoami)} $((1 + 2))"]),
        ("diff <(sort a) <(sort b)", ["sort a", "sort b", "diff <(sort a) <(sort b)"]),
        ("'r'm -r\\f \"/\"", ["rm -rf /"]),
        ("for f in *.py; do echo $f; done", ["echo $f"]),
        ("if test -f x; then rm x; else touch y; fi", ["test -f x", "rm x", "touch y"]),
        ("ls # && rm -rf /", ["ls"]),
        ("npm test \\\n  --verbose", ["npm test --verbose"]),
        ("git log --format='%h %s'", ["git log --format=%h %s"]),
        ("", []),
    ],
)
def test_splits_into_simple_commands(command: str, expected: list[str]) -> None:
    assert texts(command) == expected


def test_redirections_are_kept_apart() -> None:
    (part,) = split_commands("git status > out.txt 2>&1 </dev/null")
    assert part.words == ("git", "status")
    assert part.redirects == (Redirect(">", "out.txt"), Redirect(">&", "1"), Redirect("<", "/dev/null"))
    assert part.writes_files
    assert not split_commands("make 2>/dev/null >&2")[0].writes_files


def test_unquoted_heredoc_bodies_are_parsed_quoted_ones_are_not() -> None:
    assert texts("cat <<EOF > f\nhello $(rm -rf ~)\nEOF\nls") == ["cat", "rm -rf ~", "ls"]
    assert texts("cat <<'EOF' > f\nhello $(rm -rf ~)\nEOF\nls") == ["cat", "ls"]


@pytest.mark.parametrize(
    "command",
    ["echo 'open", 'echo "open', "echo `open", "echo $(open", "echo )", "case $x in a) b;; esac", "f() { rm x; }",
     "echo >", "a=(1 2)", "echo $(" * 40 + ")" * 40],
)  # fmt: skip
def test_unparsable_commands_raise(command: str) -> None:
    with pytest.raises(ShellParseError):
        split_commands(command)


@pytest.mark.parametrize(
    ("command", "unwrapped"),
    [
        ("sudo -u root /bin/rm -rf /", "rm -rf /"),
        ("X=1 Y=2 rm -rf x", "rm -rf x"),
        ("timeout 5 env A=1 nice -n 3 rm -rf x", "rm -rf x"),
        ("bash -lc 'cd x && rm -rf y'", "rm -rf y"),
        ("eval 'rm -rf y'", "rm -rf y"),
        ("find . -name '*.o' -exec rm -rf {} ;", "rm -rf {}"),
        ("xargs -n 1 rm -rf", "rm -rf"),
    ],
)
def test_command_forms_unwrap_wrappers(command: str, unwrapped: str) -> None:
    (part,) = split_commands(command)
    forms = command_forms(part)
    assert forms[0] == part.text and unwrapped in forms


@pytest.mark.parametrize(
    ("command", "prefix"),
    [("git status --short", "git status"), ("python -m pytest -q", "python -m pytest"), ("ls -la", "ls"),
     ("FOO=1 make", ""), ("*.sh", "")],
)  # fmt: skip
def test_rule_prefix(command: str, prefix: str) -> None:
    assert rule_prefix(split_commands(command)[0]) == prefix
