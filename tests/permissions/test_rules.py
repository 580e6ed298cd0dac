"""Modes × tools, rule precedence, compound shell commands, path globs, explain, and config loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from hame.permissions.rules import MODES, Mode, RuleError, Rules, parse_rule, rule_from_answer

NO_RULES = Rules()
EDIT_INSIDE = ("edit_file", {"path": "src/app.py"}, True)
EDIT_OUTSIDE = ("write_file", {"path": "/etc/hosts"}, True)
READ = ("read_file", {"path": "src/app.py"}, False)
SHELL = ("run_shell", {"command": "pytest -q"}, True)
MCP_WRITE = ("mcp__github__create_issue", {}, True)

# mode -> expected action for (read, edit inside, edit outside, shell, mutating MCP tool), with no rules.
MATRIX: dict[Mode, tuple[str, str, str, str, str]] = {
    "read-only": ("allow", "deny", "deny", "deny", "deny"),
    "ask": ("allow", "ask", "ask", "ask", "ask"),
    "auto-edit": ("allow", "allow", "ask", "ask", "ask"),
    "full-auto": ("allow", "allow", "allow", "allow", "allow"),
}


@pytest.mark.parametrize("mode", MODES)
def test_mode_defaults(mode: Mode) -> None:
    calls = (READ, EDIT_INSIDE, EDIT_OUTSIDE, SHELL, MCP_WRITE)
    got = tuple(NO_RULES.decide(tool, args, mutating, mode).action for tool, args, mutating in calls)
    assert got == MATRIX[mode]


def test_read_only_denial_tells_the_model_what_to_do() -> None:
    decision = NO_RULES.decide(*EDIT_INSIDE, "read-only")
    assert decision.rule is None and "read-only mode" in decision.reason and "reading tools" in decision.reason


@pytest.mark.parametrize("mode", MODES)
def test_deny_wins_over_allow_and_ask(mode: Mode) -> None:
    rules = Rules.from_strings(allow=["edit_file"], ask=["edit_file(secrets/**)"], deny=["edit_file(secrets/**)"])
    decision = rules.decide("edit_file", {"path": "secrets/prod/key.pem"}, True, mode)
    assert (decision.action, decision.rule) == ("deny", "edit_file(secrets/**)")
    assert "Do not retry" in decision.reason


def test_allow_rule_beats_the_modes_ask_and_ask_rule_beats_its_allow() -> None:
    rules = Rules.from_strings(allow=["run_shell(pytest *)"], ask=["write_file(docs/**)"])
    assert rules.decide(*SHELL, "ask").action == "allow"
    assert rules.decide("write_file", {"path": "docs/a.md"}, True, "full-auto").action == "ask"
    assert rules.decide("write_file", {"path": "src/a.py"}, True, "full-auto").action == "allow"


def test_allow_rules_do_not_lift_read_only() -> None:
    rules = Rules.from_strings(allow=["run_shell(pytest *)"])
    assert rules.decide(*SHELL, "read-only").action == "deny"


SHELL_RULES = Rules.from_strings(
    allow=["run_shell(git status*)", "run_shell(head *)", "run_shell(ls *)"],
    ask=["run_shell(git push *)"],
    deny=["run_shell(rm -rf *)"],
)


@pytest.mark.parametrize(
    ("command", "mode", "action"),
    [
        ("git status && rm -rf /", "full-auto", "deny"),
        ("git status; echo $(rm -rf ~)", "full-auto", "deny"),
        ("sudo /bin/rm -rf /", "full-auto", "deny"),
        ("bash -c 'ls && rm -rf /'", "full-auto", "deny"),
        ("find . -exec rm -rf {} +", "full-auto", "deny"),
        ("git status | head", "ask", "allow"),
        ("git status | wc -l", "ask", "ask"),
        ("(git status) | head -n 3", "ask", "allow"),
        ("X=$(git status) ; ls", "ask", "allow"),
        ("git status > out.txt", "ask", "ask"),
        ("git status 2>/dev/null", "ask", "allow"),
        ("GIT_DIR=x git status", "ask", "ask"),
        ("sudo git status", "ask", "ask"),
        ("git push origin main", "full-auto", "ask"),
        ("ls 'unterminated", "ask", "ask"),
        ("ls 'unterminated", "full-auto", "ask"),
        ("rm -rf / 'unterminated", "full-auto", "deny"),
        ("f() { ls; }; f", "ask", "ask"),
    ],
)
def test_compound_shell_commands(command: str, mode: Mode, action: str) -> None:
    assert SHELL_RULES.decide("run_shell", {"command": command}, True, mode).action == action


def test_unparsable_is_never_allowed_even_by_a_catch_all_rule() -> None:
    decision = Rules.from_strings(allow=["run_shell"]).decide("run_shell", {"command": "echo 'x"}, True, "ask")
    assert decision.action == "ask" and "could not be checked" in decision.reason


@pytest.mark.parametrize(
    ("rule", "path", "matches"),
    [
        ("read_file(*.env)", ".env", True),
        ("read_file(*.env)", "config/prod.env", True),
        ("read_file(*.env)", "config/env.txt", False),
        ("read_file(secrets/**)", "secrets", True),
        ("read_file(secrets/**)", "secrets/a/b.txt", True),
        ("read_file(secrets/**)", "app/secrets/b.txt", False),
        ("read_file(**/fixtures/*.json)", "a/b/fixtures/x.json", True),
        ("read_file(**/fixtures/*.json)", "fixtures/x.json", True),
        ("read_file(**/fixtures/*.json)", "fixtures/sub/x.json", False),
        ("read_file(src/*.py)", "./src/../src/a.py", True),
        ("read_file(./README.md)", "README.md", True),
        ("read_file(./README.md)", "docs/README.md", False),
        ("read_file(/etc/**)", "/etc/passwd", True),
        ("read_file(/etc/**)", "etc/passwd", False),
        ("mcp__srv__*", "anything", True),
    ],
)
def test_path_globs(rule: str, path: str, matches: bool) -> None:
    tool = "mcp__srv__do" if rule.startswith("mcp") else "read_file"
    decision = Rules.from_strings(deny=[rule]).decide(tool, {"path": path}, False, "full-auto")
    assert (decision.action == "deny") is matches


def test_paths_resolve_against_the_workspace_and_symlinks(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets/key").write_text("k")
    (tmp_path / "innocent").symlink_to(tmp_path / "secrets/key")
    (tmp_path / "escape").symlink_to("/etc")
    rules = Rules.from_strings(deny=["read_file(secrets/**)"], allow=["edit_file(escape/**)"])
    for path in ("innocent", str(tmp_path / "secrets/key"), "secrets/../innocent"):
        assert rules.decide("read_file", {"path": path}, False, "full-auto", workspace=tmp_path).action == "deny"
    edit = rules.decide("edit_file", {"path": "escape/hosts"}, True, "auto-edit", workspace=tmp_path)
    assert edit.action == "ask"  # the allow rule names a symlink that leads outside: not allowed, and not inside


def test_explain_names_the_deciding_rule_for_each_part() -> None:
    text = SHELL_RULES.explain("git status && rm -rf / | head", "ask")
    assert text.splitlines() == [
        "mode: ask",
        "call: run_shell(git status && rm -rf / | head)",
        "  part 1: 'git status' -> allow by run_shell(git status*)",
        "  part 2: 'rm -rf /' -> deny by run_shell(rm -rf *)",
        "  part 3: 'head' -> allow by run_shell(head *)",
        "decision: deny — run_shell: 'rm -rf /' is denied by the rule run_shell(rm -rf *). "
        "Do not retry it; find another way or ask the user.",
    ]


def test_explain_tool_calls_and_unparsable_commands() -> None:
    rules = Rules.from_strings(deny=["read_file(*.env)"])
    last = rules.explain("read_file(config/.env)", "full-auto").splitlines()[-1]
    assert last.startswith("decision: deny — read_file(config/.env) is denied by the rule read_file(*.env).")
    assert "decision: allow" in rules.explain("write_file(src/a.py)", "auto-edit")
    assert "cannot parse: unterminated" in rules.explain("echo 'x", "full-auto")
    assert "git status > f -> mode default" not in SHELL_RULES.explain("git status > f", "ask")
    assert "redirects into a file" in SHELL_RULES.explain("git status > f", "ask")


@pytest.mark.parametrize(
    ("tool", "args", "rule"),
    [
        ("run_shell", {"command": "git status --short && ls"}, "run_shell(git status *)"),
        ("run_shell", {"command": "npm run build"}, "run_shell(npm run *)"),
        ("run_shell", {"command": "python3 -m pytest -x"}, "run_shell(python3 -m pytest *)"),
        ("edit_file", {"path": "src/pkg/a.py"}, "edit_file(src/pkg/**)"),
        ("edit_file", {"path": "README.md"}, "edit_file(./README.md)"),
        ("mcp__github__create_issue", {}, "mcp__github__create_issue"),
    ],
)
def test_rule_from_answer(tool: str, args: dict[str, str], rule: str) -> None:
    assert rule_from_answer(tool, args) == rule
    parse_rule(rule)
    first_part = {k: v.split(" && ")[0] for k, v in args.items()}
    assert Rules.from_strings(allow=[rule]).decide(tool, first_part, True, "ask").action == "allow"


def test_from_config_accepts_the_table_or_the_whole_config() -> None:
    table = {"allow": ["read_file"], "deny": ["run_shell(rm -rf *)"], "mode": "ask"}
    assert Rules.from_config(table) == Rules.from_config({"permissions": table, "model": {"name": "x"}})
    assert Rules.from_config({}) == Rules()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"allow": ["run_shell(git status"]}, r"permissions.allow\[0\].*closing '\)'"),
        ({"deny": ["read_file(a/b**)"]}, r"permissions.deny\[0\].*'\*\*' must be a whole path segment"),
        ({"ask": ["run_shell()"]}, r"empty parentheses"),
        ({"alow": ["x"]}, r"alow"),
        ({"allow": "read_file"}, r"allow"),
        ({"mode": "yolo"}, r"mode"),
    ],
)
def test_from_config_rejects_bad_rules_clearly(config: dict[str, object], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        Rules.from_config(config)
