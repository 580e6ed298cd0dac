"""What one simple command effectively runs, for matching permission rules.

`command_forms` gives the command as written, then the forms a deny rule must also see: without leading
`VAR=value` words, without a directory on the program (`/bin/rm` is `rm`), without wrappers (`sudo`, `env`,
`timeout 5`, `xargs`, …), and the commands inside `bash -c '…'`, `eval …` and `find … -exec … ;`.
Allow rules only ever match the form as written, so `sudo git status` is not allowed by `git status *`.
"""

from __future__ import annotations

import posixpath
import re
from itertools import takewhile

from .shellparse import SimpleCommand, is_assignment, split_commands

MAX_UNWRAP = 8
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "busybox"})
# wrapper -> its options that take a separate value
WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "--unset", "--chdir"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "-p", "-t"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "xargs": frozenset({"-I", "-n", "-P", "-L", "-d", "-s", "-E", "-a"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "exec": frozenset({"-a"}),
    "time": frozenset({"-f", "-o"}),
    "nohup": frozenset(),
    "command": frozenset(),
    "builtin": frozenset(),
    "unbuffer": frozenset(),
}
EXEC_FLAGS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
SUBCOMMAND_TOOLS = frozenset(
    {"git", "npm", "pnpm", "yarn", "bun", "deno", "cargo", "go", "uv", "pip", "pip3", "poetry", "hatch", "make",
     "just", "docker", "podman", "kubectl", "gh", "dotnet", "mvn", "gradle", "terraform", "apt", "brew", "conda"}
)  # fmt: skip


def command_forms(cmd: SimpleCommand, depth: int = 0) -> list[str]:
    """The command as written first, then every unwrapped form. Raises ShellParseError for a bad `bash -c`."""
    words = list(cmd.words)
    forms = [cmd.text, *_exec_forms(words, depth)]
    for _ in range(MAX_UNWRAP):
        inner = _unwrap(words)
        if isinstance(inner, str):
            forms += _script_forms(inner, depth)
            break
        if not inner:
            break
        words = inner
        forms.append(" ".join(words))
        forms += _exec_forms(words, depth)
    return list(dict.fromkeys(forms))


def _script_forms(script: str, depth: int) -> list[str]:
    if depth >= MAX_UNWRAP:
        return [script]
    return [form for part in split_commands(script) for form in command_forms(part, depth + 1)]


def _exec_forms(words: list[str], depth: int) -> list[str]:
    """Commands run by `find … -exec CMD … ;`."""
    if not words or posixpath.basename(words[0]) != "find":
        return []
    forms: list[str] = []
    for i, word in enumerate(words):
        if word in EXEC_FLAGS:
            end = next((j for j in range(i + 1, len(words)) if words[j] in (";", "+")), len(words))
            if end > i + 1:
                forms += command_forms(SimpleCommand(tuple(words[i + 1 : end])), depth + 1)
    return forms


def _unwrap(words: list[str]) -> list[str] | str | None:
    """One unwrapping step: a shorter word list, a script to parse (for `bash -c` / `eval`), or None."""
    if not words:
        return None
    if is_assignment(words[0]):
        return words[_count_assignments(words) :]
    if "/" in words[0]:
        return [posixpath.basename(words[0]), *words[1:]]
    if words[0] in SHELLS:
        return _shell_script(words)
    if words[0] == "eval":
        return " ".join(words[1:])
    if words[0] in WRAPPERS:
        return _after_wrapper(words)
    return None


def _count_assignments(words: list[str]) -> int:
    return next((i for i, w in enumerate(words) if not is_assignment(w)), len(words))


SHELL_VALUE_OPTIONS = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})


def _shell_script(words: list[str]) -> str | None:
    """The script of `bash [options] -c SCRIPT`: options may come before or after `-c` (`-o errexit`, `-ec`, `--`)."""
    has_c, i = False, 1
    while i < len(words):
        word = words[i]
        if word == "--":
            i += 1
            break
        if word in SHELL_VALUE_OPTIONS:
            i += 2
            continue
        if not word.startswith(("-", "+")) or word in ("-", "+"):
            break
        has_c = has_c or (word[0] == "-" and not word.startswith("--") and "c" in word[1:])
        i += 1
    return words[i] if has_c and i < len(words) else None


def opaque(cmd: SimpleCommand) -> str | None:
    """Why the rules cannot know what `cmd` runs (an expansion that evaluates text as code, a shell started with
    options), or None. Such a command is never allowed by an allow rule."""
    words = list(cmd.words)
    for word in words:
        if _ARITH_VAR.search(word):
            return f"{word!r} evaluates a variable arithmetically, which can run commands hidden in its value"
        if _EVAL_EXPANSION.search(word):
            return f"{word!r} expands a variable's value as code or as another variable's name"
    options = _leading_options(words[1:]) if words and posixpath.basename(words[0]) in SHELLS else []
    if options and options != ["-c"]:
        return f"{words[0]} is started with the options {' '.join(options)}, which the rules do not follow"
    if words and words[0] == "let":
        return "let evaluates its arguments arithmetically, which can run commands hidden in a variable"
    return None


def _leading_options(words: list[str]) -> list[str]:
    return list(takewhile(lambda w: w.startswith(("-", "+")) and w not in ("-", "+"), words))


_ARITH_VAR = re.compile(r"\$\(\([^)]*[A-Za-z_]|\$\[[^]]*[A-Za-z_]|\[[^]]*[A-Za-z_$][^]]*\]\}")
_EVAL_EXPANSION = re.compile(r"\$\{[^}]*@[PEAKQaku]\}|\$\{![A-Za-z_]")


def _after_wrapper(words: list[str]) -> list[str]:
    takes_value = WRAPPERS[words[0]]
    i = 1
    while i < len(words) and (words[i].startswith("-") or (words[0] == "env" and is_assignment(words[i]))):
        i += 2 if words[i] in takes_value else 1
    if words[0] == "timeout" and i < len(words):
        i += 1  # the duration
    return words[i:]


def rule_prefix(cmd: SimpleCommand) -> str:
    """The first word(s) of a command, for an "always allow" rule: `git status`, `python -m pytest`, `ls`."""
    words = list(cmd.words)
    if not words or is_assignment(words[0]):
        return ""
    take = words[:1]
    if words[0] in SUBCOMMAND_TOOLS and len(words) > 1 and words[1][:1].isalpha():
        take = words[:2]
    elif posixpath.basename(words[0]).startswith("python") and words[1:2] == ["-m"] and len(words) > 2:
        take = words[:3]
    safe = [w for w in take if not any(c in w for c in "*?[")]
    return " ".join(safe) if len(safe) == len(take) else ""
