"""Split a bash command line into the simple commands it would run, for permission rules.

`split_commands("git status && echo $(rm -rf /) | head")` gives `git status`, `rm -rf /`, `echo $(rm -rf /)` and
`head`: lists (`&&`, `||`, `;`, `&`, newlines), pipes, subshells `( … )`, groups `{ …; }`, command substitutions
`$( … )` and backticks, process substitutions `<( … )`, and `$( … )` inside double quotes, `${ … }` and unquoted
here-documents are all opened up. Quotes and backslashes are removed from words, as bash would (`'r'm` is `rm`).
Redirections are kept apart from the words. Anything this parser does not understand (`case`, function
definitions, unbalanced quotes or parentheses) raises ShellParseError: the caller must then ask, never allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_DEPTH = 32
RESERVED_PREFIXES = frozenset(
    {"!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time"}
)
UNSUPPORTED = frozenset({"case", "function", "coproc", "select"})
OPERATORS = ("&&", "||", ";;", "|&", ";", "|", "&", "\n")
WRITE_OPS = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})
_REDIRECT = re.compile(r"(\d+|&)?(>>|>&|>\||<<<|<<-|<<|<&|<>|>|<)")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
_META = set(" \t\n;&|()<>")


class ShellParseError(ValueError):
    """The command uses shell syntax the permission checker does not understand."""


@dataclass(frozen=True)
class Redirect:
    op: str
    target: str

    @property
    def writes_file(self) -> bool:
        """True when the redirection may create or change a file (not /dev/null, not an fd copy like 2>&1)."""
        if self.op == ">&":
            return not (self.target.isdigit() or self.target == "-")
        return self.op in WRITE_OPS and self.target != "/dev/null"


@dataclass(frozen=True)
class SimpleCommand:
    words: tuple[str, ...]
    redirects: tuple[Redirect, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def writes_files(self) -> bool:
        return any(r.writes_file for r in self.redirects)

    @property
    def assignments_only(self) -> bool:
        return all(_ASSIGNMENT.match(w) for w in self.words)


def split_commands(source: str) -> list[SimpleCommand]:
    """Every simple command in `source`, substitutions included. Raises ShellParseError."""
    parser = _Parser(source, [], 0)
    parser.parse_list(closer=None)
    return parser.out


def is_assignment(word: str) -> bool:
    return _ASSIGNMENT.match(word) is not None


@dataclass
class _Builder:
    words: list[str] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class _Heredoc:
    delimiter: str
    strip_tabs: bool
    expands: bool


class _Parser:
    def __init__(self, src: str, out: list[SimpleCommand], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ShellParseError(f"nesting deeper than {MAX_DEPTH} levels")
        self.src, self.out, self.depth, self.pos = src, out, depth, 0
        self.heredocs: list[_Heredoc] = []

    # ---- lists of commands

    def parse_list(self, closer: str | None) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ShellParseError(f"nesting deeper than {MAX_DEPTH} levels")
        try:
            self._parse_list(closer)
        finally:
            self.depth -= 1

    def _parse_list(self, closer: str | None) -> None:
        cmd = _Builder()
        while True:
            self._skip_blanks()
            if self.pos >= len(self.src):
                if closer:
                    raise ShellParseError(f"missing '{closer}'")
                return self._finish(cmd)
            if self._step(cmd, closer):
                return self._finish(cmd)

    def _step(self, cmd: _Builder, closer: str | None) -> bool:
        """Consume one token into `cmd`; True when `closer` was reached."""
        c = self.src[self.pos]
        if c == "#":
            end = self.src.find("\n", self.pos)
            self.pos = len(self.src) if end < 0 else end
        elif c == ")":
            if closer != ")":
                raise ShellParseError("unbalanced ')'")
            self.pos += 1
            return True
        elif self.src.startswith(("<(", ">("), self.pos):
            cmd.words.append(self._process_substitution())
        elif (m := _REDIRECT.match(self.src, self.pos)) and not self.src.startswith("&&", self.pos):
            self._redirect(cmd, m)
        elif c == "(":
            self._subshell(cmd)
        elif op := next((o for o in OPERATORS if self.src.startswith(o, self.pos)), None):
            self._operator(cmd, op)
        else:
            self._word(cmd)
        return False

    def _operator(self, cmd: _Builder, op: str) -> None:
        if op == ";;":
            raise ShellParseError("';;' outside a supported construct (case statements are not parsed)")
        self.pos += len(op)
        self._finish(cmd)
        if op == "\n":
            self._read_heredocs()

    def _subshell(self, cmd: _Builder) -> None:
        if cmd.words:
            raise ShellParseError("'(' in the middle of a command (function definitions and arrays are not parsed)")
        self.pos += 1
        self.parse_list(closer=")")

    def _word(self, cmd: _Builder) -> None:
        word = self._read_word()
        if not _command_words(cmd.words) and word in UNSUPPORTED:
            raise ShellParseError(f"'{word}' is not parsed")
        cmd.words.append(word)

    def _finish(self, cmd: _Builder) -> None:
        words = _command_words(cmd.words)
        if words and words[0] == "for":
            words = []
        if words or cmd.redirects:
            self.out.append(SimpleCommand(tuple(words), tuple(cmd.redirects)))
        cmd.words, cmd.redirects = [], []

    # ---- redirections and here-documents

    def _redirect(self, cmd: _Builder, m: re.Match[str]) -> None:
        op = (m.group(1) if m.group(1) == "&" else "") + m.group(2)
        self.pos = m.end()
        self._skip_blanks()
        if self.pos >= len(self.src) or self.src[self.pos] in _META:
            raise ShellParseError(f"redirection '{op}' has no target")
        start = self.pos
        target = self._read_word()
        if op in ("<<", "<<-"):
            raw = self.src[start : self.pos]
            self.heredocs.append(_Heredoc(target, op == "<<-", expands=not any(q in raw for q in "'\"\\")))
        cmd.redirects.append(Redirect(op, target))

    def _read_heredocs(self) -> None:
        pending, self.heredocs = self.heredocs, []
        for doc in pending:
            body = self._heredoc_body(doc)
            if doc.expands:
                _Parser(body, self.out, self.depth + 1).scan_expansions(terminator=None)

    def _heredoc_body(self, doc: _Heredoc) -> str:
        lines = []
        while self.pos < len(self.src):
            end = self.src.find("\n", self.pos)
            end = len(self.src) if end < 0 else end
            line, self.pos = self.src[self.pos : end], end + 1
            if (line.lstrip("\t") if doc.strip_tabs else line) == doc.delimiter:
                break
            lines.append(line)
        return "\n".join(lines)

    # ---- words

    def _read_word(self) -> str:
        parts: list[str] = []
        while self.pos < len(self.src) and self.src[self.pos] not in _META:
            parts.append(self._word_piece())
        return "".join(parts)

    def _word_piece(self) -> str:
        c = self.src[self.pos]
        if c == "\\":
            return self._backslash()
        if c == "'":
            return self._single_quoted()
        if c == '"':
            self.pos += 1
            return self.scan_expansions(terminator='"')
        if c == "`":
            return self._backticks()
        if c == "$":
            return self._dollar()
        self.pos += 1
        return c

    def _backslash(self) -> str:
        nxt = self.src[self.pos + 1 : self.pos + 2]
        self.pos += 2
        return "" if nxt == "\n" else nxt

    def _single_quoted(self) -> str:
        end = self.src.find("'", self.pos + 1)
        if end < 0:
            raise ShellParseError("unterminated single quote")
        text, self.pos = self.src[self.pos + 1 : end], end + 1
        return text

    def scan_expansions(self, terminator: str | None) -> str:
        """Read double-quoted text (or a here-document body) up to `terminator`, parsing any substitutions."""
        parts: list[str] = []
        while self.pos < len(self.src) and self.src[self.pos] != terminator:
            c = self.src[self.pos]
            if c == "\\" and self.src[self.pos + 1 : self.pos + 2] in ('"', "\\", "$", "`", "\n"):
                parts.append(self._backslash())
            elif c in "`$":
                parts.append(self._backticks() if c == "`" else self._dollar())
            else:
                parts.append(c)
                self.pos += 1
        if terminator is not None:
            if self.pos >= len(self.src):
                raise ShellParseError("unterminated double quote")
            self.pos += 1
        return "".join(parts)

    def _dollar(self) -> str:
        start, rest = self.pos, self.src[self.pos + 1 : self.pos + 3]
        if rest.startswith("(") and rest != "((":
            self.pos += 2
            self.parse_list(closer=")")
        elif rest == "((":
            self._skip_balanced("(", ")")
        elif rest.startswith("{"):
            self._skip_balanced("{", "}")
        elif rest.startswith("'"):
            return self._ansi_c()
        else:
            self.pos += 1
        return self.src[start : self.pos]

    def _skip_balanced(self, opener: str, closer: str) -> None:
        """Skip `$((…))` or `${…}`, parsing substitutions inside."""
        self.pos += 1
        depth = 0
        while self.pos < len(self.src):
            c = self.src[self.pos]
            if c in "$`\\'\"":
                self._word_piece()
                continue
            self.pos += 1
            depth += (c == opener) - (c == closer)
            if depth == 0:
                return
        raise ShellParseError(f"missing '{closer}'")

    def _ansi_c(self) -> str:
        end = self.pos + 2
        while end < len(self.src) and self.src[end] != "'":
            end += 2 if self.src[end] == "\\" else 1
        if end >= len(self.src):
            raise ShellParseError("unterminated $'...' quote")
        text, self.pos = self.src[self.pos + 2 : end], end + 1
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)

    def _backticks(self) -> str:
        start, end = self.pos, self.pos + 1
        while end < len(self.src) and self.src[end] != "`":
            end += 2 if self.src[end] == "\\" else 1
        if end >= len(self.src):
            raise ShellParseError("unterminated backquote")
        inner = re.sub(r"\\([`$\\])", r"\1", self.src[start + 1 : end])
        _Parser(inner, self.out, self.depth + 1).parse_list(closer=None)
        self.pos = end + 1
        return self.src[start : self.pos]

    def _process_substitution(self) -> str:
        start = self.pos
        self.pos += 2
        self.parse_list(closer=")")
        return self.src[start : self.pos]

    def _skip_blanks(self) -> None:
        while self.pos < len(self.src):
            if self.src[self.pos] in " \t":
                self.pos += 1
            elif self.src.startswith("\\\n", self.pos):
                self.pos += 2
            else:
                return


def _command_words(words: list[str]) -> list[str]:
    """Drop leading reserved words (`if`, `then`, `!`, `{`, …) so the real command comes first."""
    i = 0
    while i < len(words) and words[i] in RESERVED_PREFIXES:
        i += 1
    return words[i:]
