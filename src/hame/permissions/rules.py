"""Permission rules and modes: decide whether one tool call runs, asks the user, or is refused.

A rule is `tool` or `tool(pattern)`; the tool name may use `*` (`mcp__srv__*`). For shell tools the pattern is
matched against every simple command of the parsed command line (`*` matches anything; a trailing ` *` also
matches nothing, so `git status *` covers `git status`). For other tools it is a path glob (`*`, `?`, `**`)
matched against the `path` argument: `/abs/**` and `~/x/**` match absolute paths, `src/**` or `./README.md` the
workspace-relative path, and a pattern without `/` (`*.env`) the file name at any depth.

Order of precedence: deny rules > read-only mode > ask rules > allow rules > the mode's default.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from .shellparse import ShellParseError, SimpleCommand, split_commands
from .shellwords import command_forms, opaque, rule_prefix
from .tomledit import add_to_array

__all__ = ["Decision", "Mode", "MODES", "Rule", "RuleError", "Rules", "persist_allow_rule", "rule_from_answer"]

Mode = Literal["read-only", "ask", "auto-edit", "full-auto"]
MODES: tuple[Mode, ...] = get_args(Mode)
Action = Literal["allow", "ask", "deny"]
SHELL_TOOLS = frozenset({"run_shell"})
READ_PREFIXES = ("read", "list", "search", "grep", "find", "glob", "ls", "view")
READ_TOOLS = ("read_file", "search", "list_files")  # a path rule for one of these covers every one
WRITE_TOOLS = ("write_file", "edit_file", "apply_patch")  # likewise; and a reading deny covers these too
_RULE = re.compile(r"(?P<tool>[A-Za-z0-9_.*-]+)(?:\((?P<pattern>.*)\))?", re.DOTALL)


class RuleError(ValueError):
    """A permission rule in the configuration is malformed (the message says where and how to fix it)."""


@dataclass(frozen=True)
class Decision:
    action: Action
    rule: str | None
    reason: str


@dataclass(frozen=True)
class Rule:
    source: str
    tool: re.Pattern[str]
    command: re.Pattern[str] | None  # for shell tools
    path: re.Pattern[str] | None  # for path tools
    path_kind: Literal["abs", "rel", "name"] = "rel"

    def matches_tool(self, tool: str) -> bool:
        return self.tool.fullmatch(tool) is not None

    def matches_command(self, forms: Iterable[str]) -> bool:
        return self.command is None or any(self.command.fullmatch(f) for f in forms)

    def matches_path(self, rel: Sequence[str], absolute: Sequence[str]) -> bool:
        if self.path is None:
            return self.command is None
        if self.path_kind == "name":
            names = [posixpath.basename(p) for p in (*rel, *absolute)]
            return any(self.path.fullmatch(n) for n in names)
        return any(self.path.fullmatch(p) for p in (absolute if self.path_kind == "abs" else rel))


def parse_rule(text: str, where: str = "rule") -> Rule:
    """Parse and validate one rule string; raises RuleError with a message naming `where`."""
    m = _RULE.fullmatch(text.strip())
    if m is None:
        hint = "a closing ')' is missing" if "(" in text and not text.rstrip().endswith(")") else "bad tool name"
        raise RuleError(f"{where}: {text!r} is not a rule ({hint}); write `tool` or `tool(pattern)`")
    pattern = m.group("pattern")
    if pattern is not None and not pattern.strip():
        raise RuleError(f"{where}: {text!r} has empty parentheses; write `{m.group('tool')}` to match every call")
    tool_re = re.compile(".*".join(map(re.escape, m.group("tool").split("*"))))
    if pattern is None:
        return Rule(text.strip(), tool_re, None, None)
    if m.group("tool") in SHELL_TOOLS:
        return Rule(text.strip(), tool_re, _command_regex(pattern.strip()), None)
    path_re, kind = _path_regex(pattern.strip(), where, text)
    return Rule(text.strip(), tool_re, _command_regex(pattern.strip()), path_re, kind)


def _command_regex(pattern: str) -> re.Pattern[str]:
    pattern = " ".join(pattern.split())
    tail = ""
    if pattern.endswith(" *"):
        pattern, tail = pattern[:-2], "(?: .*)?"
    return re.compile(".*".join(map(re.escape, pattern.split("*"))) + tail, re.DOTALL)


def _path_regex(pattern: str, where: str, text: str) -> tuple[re.Pattern[str], Literal["abs", "rel", "name"]]:
    if pattern.startswith("~/"):
        pattern = str(Path.home()) + pattern[1:]
    anchored = "/" in pattern
    pattern = pattern[2:] if pattern.startswith("./") else pattern
    kind: Literal["abs", "rel", "name"] = "abs" if pattern.startswith("/") else "rel" if anchored else "name"
    segments = pattern.lstrip("/").split("/")
    for seg in segments:
        if "**" in seg and seg != "**":
            raise RuleError(f"{where}: {text!r}: '**' must be a whole path segment, as in 'src/**' or '**/*.py'")
    body = _segments_regex(segments)
    return re.compile(("/" if kind == "abs" else "") + body, re.DOTALL), kind


def _segments_regex(segments: list[str]) -> str:
    out, joiner = "", ""
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg != "**":
            out += joiner + _glob_segment(seg)
            joiner = "/"
        elif i == 0:
            out, joiner = (".*", "") if last else ("(?:.*/)?", "")
        else:
            out, joiner = (out + "(?:/.*)?", "") if last else (out + "/(?:.*/)?", "")
    return out


def _glob_segment(seg: str) -> str:
    return "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in seg)


class PermissionsConfig(BaseModel):
    """The `[permissions]` table of a config file."""

    model_config = ConfigDict(extra="forbid")
    allow: list[str] = []
    ask: list[str] = []
    deny: list[str] = []
    mode: Mode | None = None


@dataclass(frozen=True)
class PartVerdict:
    """How the rules see one simple command of a shell command line."""

    text: str
    action: Action | None  # None: no rule decided this part
    rule: str | None
    note: str = ""
    neutral: bool = False  # only sets variables: neither needs nor blocks an allow


@dataclass(frozen=True)
class Rules:
    allow: tuple[Rule, ...] = ()
    ask: tuple[Rule, ...] = ()
    deny: tuple[Rule, ...] = ()

    @classmethod
    def from_config(cls, d: Mapping[str, object]) -> Rules:
        """Build from the `[permissions]` table (or a whole config holding one); raises RuleError."""
        table = d.get("permissions", d) if isinstance(d.get("permissions"), Mapping) else d
        try:
            cfg = PermissionsConfig.model_validate(table)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise RuleError(f"[permissions]: {problems}") from None
        return cls.from_strings(cfg.allow, cfg.ask, cfg.deny)

    @classmethod
    def from_strings(cls, allow: Sequence[str] = (), ask: Sequence[str] = (), deny: Sequence[str] = ()) -> Rules:
        def parse(name: str, items: Sequence[str]) -> tuple[Rule, ...]:
            return tuple(parse_rule(s, f"permissions.{name}[{i}]") for i, s in enumerate(items))

        return cls(parse("allow", allow), parse("ask", ask), parse("deny", deny))

    # ---- deciding

    def decide(
        self, tool: str, args: Mapping[str, object], mutating: bool, mode: Mode, *, workspace: Path | None = None
    ) -> Decision:
        if tool in SHELL_TOOLS:
            return self._decide_shell(tool, str(args.get("command", "")), mutating, mode)
        if tool == "apply_patch" and isinstance(args.get("patch"), str) and (files := _patch_paths(args["patch"])):
            return _strictest([self._decide_path(tool, f, mutating, mode, workspace) for f in files])
        return self._decide_path(tool, args.get("path"), mutating, mode, workspace)

    def _decide_path(self, tool: str, path: object, mutating: bool, mode: Mode, workspace: Path | None) -> Decision:
        lexical, real, inside = _path_forms(path, workspace)

        def first(rules: tuple[Rule, ...], forms: Forms, kin: tuple[str, ...] = (tool,)) -> Rule | None:
            return next((r for r in rules if any(map(r.matches_tool, kin)) and r.matches_path(*forms)), None)

        everything = (lexical[0] + real[0], lexical[1] + real[1])
        target = f"{tool}({path})" if isinstance(path, str) else tool
        if rule := first(self.deny, everything, _deny_kin(tool)):
            return _denied(rule, target)
        if mode == "read-only" and mutating:
            return _read_only(tool)
        if rule := first(self.ask, everything, _kin(tool)):
            return Decision("ask", rule.source, f"the rule {rule.source} asks before {target}")
        if rule := first(self.allow, real):
            return Decision("allow", rule.source, f"allowed by the rule {rule.source}")
        return _mode_default(tool, mutating, mode, inside)

    def read_denied(self, rel: str, workspace: Path) -> str | None:
        """The deny rule that keeps a reading tool from `rel` (a workspace-relative file), or None: a tool that
        shows file content it was not asked for by path (search) leaves such files out."""
        decision = self._decide_path("read_file", rel, False, "full-auto", workspace)
        return decision.rule if decision.action == "deny" else None

    def _decide_shell(self, tool: str, command: str, mutating: bool, mode: Mode) -> Decision:
        try:
            verdicts = self.shell_verdicts(tool, command)
        except ShellParseError as exc:
            return self._unparsable(tool, command, mutating, mode, exc)
        if denied := next((v for v in verdicts if v.action == "deny"), None):
            return Decision("deny", denied.rule, _deny_text(denied.rule, f"{tool}: {denied.text!r}"))
        if mode == "read-only" and mutating:
            return _read_only(tool)
        if asked := next((v for v in verdicts if v.action == "ask"), None):
            why = f"the rule {asked.rule} asks before running {asked.text!r}" if asked.rule else asked.note
            return Decision("ask", asked.rule, why)
        allowed = [v for v in verdicts if v.action == "allow"]
        if allowed and all(v.action == "allow" or v.neutral for v in verdicts):
            rules = " and ".join(dict.fromkeys(v.rule for v in allowed if v.rule))
            return Decision("allow", rules, f"every part of the command is allowed by {rules}")
        return _mode_default(tool, mutating, mode, inside=False)

    def _unparsable(self, tool: str, command: str, mutating: bool, mode: Mode, exc: ShellParseError) -> Decision:
        raw = " ".join(command.split())
        if rule := next((r for r in self.deny if r.matches_tool(tool) and r.matches_command([raw])), None):
            return Decision("deny", rule.source, _deny_text(rule.source, f"{tool}: {raw!r}"))
        if mode == "read-only" and mutating:
            return _read_only(tool)
        return Decision("ask", None, f"the command could not be checked against the rules ({exc}); it needs approval")

    def shell_verdicts(self, tool: str, command: str) -> list[PartVerdict]:
        """One verdict per simple command in `command`. Raises ShellParseError."""
        return [self._part_verdict(tool, part) for part in split_commands(command)]

    def _part_verdict(self, tool: str, part: SimpleCommand) -> PartVerdict:
        forms = command_forms(part)

        def first(rules: tuple[Rule, ...], candidates: list[str]) -> Rule | None:
            return next((r for r in rules if r.matches_tool(tool) and r.matches_command(candidates)), None)

        text = part.text or " ".join(f"{r.op}{r.target}" for r in part.redirects)
        if rule := first(self.deny, forms):
            return PartVerdict(text, "deny", rule.source)
        if rule := first(self.ask, forms):
            return PartVerdict(text, "ask", rule.source)
        if part.assignments_only and not part.writes_files:
            return PartVerdict(text, None, None, "only sets variables", neutral=True)
        if why := opaque(part):
            return PartVerdict(text, "ask", None, f"{why}; it needs approval")
        rule = first(self.allow, forms[:1])
        if rule and part.writes_files:
            return PartVerdict(text, None, None, f"{rule.source} matches, but the command redirects into a file")
        return PartVerdict(text, "allow", rule.source) if rule else PartVerdict(text, None, None, "no rule matches")

    # ---- explaining

    def explain(
        self, command_or_call: str, mode: Mode, *, workspace: Path | None = None, mutating: bool | None = None
    ) -> str:
        """Why `hame permissions explain` would allow, ask or deny: a shell command, or a call like `edit_file(x)`."""
        tool, argument = _parse_call(command_or_call)
        mut = _guess_mutating(tool) if mutating is None else mutating
        key = "command" if tool in SHELL_TOOLS else "path"
        lines = [f"mode: {mode}", f"call: {tool}({argument})" + ("" if mut else " [read-only tool]")]
        if tool in SHELL_TOOLS:
            lines += self._explain_parts(tool, argument)
        decision = self.decide(tool, {key: argument}, mut, mode, workspace=workspace)
        lines.append(f"decision: {decision.action} — {decision.reason}")
        return "\n".join(lines)

    def _explain_parts(self, tool: str, command: str) -> list[str]:
        try:
            verdicts = self.shell_verdicts(tool, command)
        except ShellParseError as exc:
            return [f"  cannot parse: {exc}"]
        lines = []
        for i, v in enumerate(verdicts, 1):
            by = f" by {v.rule}" if v.rule else ""
            note = f" ({v.note})" if v.note else ""
            lines.append(f"  part {i}: {v.text!r} -> {v.action or 'mode default'}{by}{note}")
        return lines


Forms = tuple[list[str], list[str]]  # (workspace-relative paths, absolute paths)


def _path_forms(path: object, workspace: Path | None) -> tuple[Forms, Forms, bool]:
    """((lexical rel, lexical abs), (real rel, real abs), inside workspace) for a path argument."""
    if not isinstance(path, str) or not path or "\x00" in path:  # the tool refuses a NUL byte itself
        return ([], []), ([], []), False
    path = os.path.expanduser(path)
    if workspace is None:
        norm = posixpath.normpath(path)
        if norm.startswith("/"):
            return ([], [norm]), ([], [norm]), False
        inside = not norm.startswith("..")
        forms = ([norm] if inside else [], [])
        return forms, forms, inside
    ws = os.path.realpath(workspace)
    lexical = posixpath.normpath(posixpath.join(str(workspace.absolute()), path))
    real = os.path.realpath(posixpath.join(ws, path))
    lex_rel = _relative(lexical, str(workspace.absolute()))
    real_rel = _relative(real, ws)
    return (lex_rel, [lexical]), (real_rel, [real]), bool(real_rel)


def _relative(path: str, root: str) -> list[str]:
    rel = posixpath.relpath(path, root)
    return [] if rel == ".." or rel.startswith("../") else [rel]


def _kin(tool: str) -> tuple[str, ...]:
    return READ_TOOLS if tool in READ_TOOLS else WRITE_TOOLS if tool in WRITE_TOOLS else (tool,)


def _deny_kin(tool: str) -> tuple[str, ...]:
    """Writers also show the file (an edit that misses quotes it), so a reading deny covers them as well."""
    return (*WRITE_TOOLS, *READ_TOOLS) if tool in WRITE_TOOLS else _kin(tool)


def _patch_paths(patch: str) -> list[str]:
    """Every file a patch touches (moves included); empty when it does not parse (the tool will say why)."""
    from ..tools.patchparse import PatchSyntaxError, parse_patch

    try:
        ops = parse_patch(patch)
    except PatchSyntaxError:
        return []
    return list(dict.fromkeys(p for op in ops for p in (op.path, op.move_to) if p))


def _strictest(decisions: list[Decision]) -> Decision:
    order = {"deny": 0, "ask": 1, "allow": 2}
    return min(decisions, key=lambda d: order[d.action])


def _mode_default(tool: str, mutating: bool, mode: Mode, inside: bool) -> Decision:
    if not mutating:
        return Decision("allow", None, f"{tool} only reads, and reads run in every mode")
    if mode == "full-auto":
        return Decision("allow", None, "full-auto mode runs everything (shell commands in the sandbox)")
    if mode == "auto-edit" and tool not in SHELL_TOOLS and inside:
        return Decision("allow", None, "auto-edit mode applies changes inside the workspace")
    what = "changes outside the workspace" if mode == "auto-edit" else "changes"
    what = "shell commands" if tool in SHELL_TOOLS else what
    return Decision("ask", None, f"{mode} mode asks before {what}")


def _read_only(tool: str) -> Decision:
    return Decision(
        "deny",
        None,
        f"hame is in read-only mode, so {tool} (which can change files or run commands) is not available. "
        "Use the reading tools instead, or tell the user that this needs another mode.",
    )


def _denied(rule: Rule, target: str) -> Decision:
    return Decision("deny", rule.source, _deny_text(rule.source, target))


def _deny_text(rule: str | None, target: str) -> str:
    return f"{target} is denied by the rule {rule}. Do not retry it; find another way or ask the user."


def _parse_call(text: str) -> tuple[str, str]:
    m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_.-]*)\((.*)\)", text.strip(), re.DOTALL)
    return (m.group(1), m.group(2)) if m else ("run_shell", text)


def _guess_mutating(tool: str) -> bool:
    return tool in SHELL_TOOLS or not tool.startswith(READ_PREFIXES)


def rule_from_answer(tool: str, args: Mapping[str, object]) -> str:
    """The rule an "always allow" answer adds: `run_shell(git status *)`, `edit_file(src/**)`, or the tool name."""
    if tool in SHELL_TOOLS:
        command = str(args.get("command", ""))
        try:
            parts = split_commands(command)
        except ShellParseError:
            parts = []
        prefix = rule_prefix(parts[0]) if parts else ""
        return f"{tool}({prefix} *)" if prefix else f"{tool}({' '.join(command.split())})"
    path = args.get("path")
    if not isinstance(path, str) or not path.strip():
        return tool
    norm = posixpath.normpath(path)
    parent = posixpath.dirname(norm)
    if norm.startswith("/"):
        return f"{tool}({parent.rstrip('/')}/**)"
    return f"{tool}({parent}/**)" if parent else f"{tool}(./{norm})"


def persist_allow_rule(config_path: Path, rule: str) -> None:
    """Add `rule` to `[permissions] allow` in the TOML file, keeping everything else; raises RuleError or
    tomledit.ConfigEditError (a ValueError) when the rule or the file is not usable."""
    parse_rule(rule, "new rule")
    add_to_array(config_path, "permissions", "allow", rule)
