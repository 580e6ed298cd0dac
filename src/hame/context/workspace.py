"""A short text snapshot of the workspace for the system prompt: where we are, what git says, how to test.

Every token here is prefilled on every request, so each section is capped and terse.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from hame.context.files import list_files
from hame.context.git import run_git

STATUS_LINES = 20
COMMITS = 5
LAYOUT_ENTRIES = 15
LANGUAGES_SHOWN = 3
LISTING_LIMIT = 20_000
SUBJECT_CHARS = 72

LANGUAGE_BY_EXT = {
    ".py": "Python", ".pyi": "Python", ".js": "JavaScript", ".jsx": "JavaScript", ".mjs": "JavaScript",
    ".cjs": "JavaScript", ".ts": "TypeScript", ".tsx": "TypeScript", ".go": "Go", ".rs": "Rust",
    ".java": "Java", ".kt": "Kotlin", ".c": "C", ".h": "C/C++", ".cc": "C++", ".cpp": "C++", ".cxx": "C++",
    ".hpp": "C++", ".cs": "C#", ".rb": "Ruby", ".php": "PHP", ".swift": "Swift", ".scala": "Scala",
    ".lua": "Lua", ".sh": "Shell", ".zig": "Zig", ".ex": "Elixir", ".exs": "Elixir", ".hs": "Haskell",
}  # fmt: skip


def workspace_snapshot(root: Path) -> str:
    """Root, git state, recent commits, top-level layout, languages and test-command hints."""
    root = root.resolve()
    paths = list_files(root, limit=LISTING_LIMIT).paths
    lines = [f"Workspace: {root}"]
    lines += git_section(root)
    lines.append("Layout: " + layout(paths))
    languages = detect_languages(paths)
    if languages:
        lines.append("Languages: " + ", ".join(languages))
    hints = test_hints(root)
    if hints:
        lines.append("Tests: " + "; ".join(hints))
    return "\n".join(lines)


def git_status_short(root: Path) -> str:
    """`git status --short`, capped; empty when the tree is clean or not a git repository."""
    out = run_git(root, "status", "--short")
    return cap_lines(out.splitlines(), STATUS_LINES) if out else ""


def git_section(root: Path) -> list[str]:
    status = run_git(root, "status", "--short", "--branch")
    if status is None:
        return ["Git: not a git repository"]
    header, *changes = status.splitlines() or [""]
    default = default_branch(root)
    lines = ["Git: " + describe_branch(header) + (f"; default branch {default}" if default else "")]
    lines.append("Status:\n" + cap_lines(changes, STATUS_LINES) if changes else "Status: clean")
    commits = run_git(root, "log", f"-{COMMITS}", "--no-decorate", "--format=%h %s")
    if commits:
        lines.append("Recent commits:\n" + "\n".join(clip(c, SUBJECT_CHARS) for c in commits.splitlines()))
    return lines


def describe_branch(header: str) -> str:
    """Turn `## main...origin/main [ahead 1]` (from `status --branch`) into `branch main (origin/main, ahead 1)`."""
    text = header.removeprefix("## ").strip()
    if text.startswith("No commits yet on "):
        return f"branch {text.removeprefix('No commits yet on ')} (no commits yet)"
    if text.startswith("HEAD (no branch)"):
        return "detached HEAD"
    match = re.fullmatch(r"(.+?)(?:\.\.\.(\S+))?(?: \[(.+)\])?", text)
    if not match:
        return f"branch {text}"
    branch, upstream, counts = match.groups()
    extra = ", ".join(part for part in (upstream, counts) if part)
    return f"branch {branch}" + (f" ({extra})" if extra else "")


def default_branch(root: Path) -> str | None:
    """origin/HEAD's target when known, else a local `main` or `master`."""
    refs = ("refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master")
    out = run_git(root, "for-each-ref", "--format=%(refname) %(symref)", *refs) or ""
    found = dict((line.split(" ", 1) + [""])[:2] for line in out.splitlines())
    target = found.get("refs/remotes/origin/HEAD", "")
    if target:
        return target.removeprefix("refs/remotes/origin/")
    for ref in refs[1:]:
        if ref in found:
            return ref.removeprefix("refs/heads/")
    return None


def layout(paths: list[str]) -> str:
    """Top-level entries (folders end in `/`), folders first, capped."""
    dirs = sorted({p.split("/", 1)[0] + "/" for p in paths if "/" in p})
    files = sorted(p for p in paths if "/" not in p)
    entries = dirs + files
    if not entries:
        return "(empty)"
    shown = " ".join(entries[:LAYOUT_ENTRIES])
    more = len(entries) - LAYOUT_ENTRIES
    return shown + (f" (+{more} more)" if more > 0 else "")


def detect_languages(paths: list[str]) -> list[str]:
    """Most common programming languages by file count, e.g. `Python (42 files)`."""
    counts = Counter(LANGUAGE_BY_EXT.get(Path(p).suffix.lower()) for p in paths)
    counts.pop(None, None)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [f"{name} ({n} files)" for name, n in ranked[:LANGUAGES_SHOWN] if name]


def test_hints(root: Path) -> list[str]:
    """Likely test commands, from project files at the root."""
    hints = [python_hint(root), node_hint(root), make_hint(root)]
    if (root / "go.mod").is_file():
        hints.append("go test ./...")
    if (root / "Cargo.toml").is_file():
        hints.append("cargo test")
    return [hint for hint in hints if hint]


def python_hint(root: Path) -> str | None:
    if (root / "pytest.ini").is_file() or "[tool:pytest]" in read_text(root / "setup.cfg"):
        return "pytest"
    pyproject = read_text(root / "pyproject.toml")
    if "[tool.pytest" in pyproject or "pytest" in read_text(root / "tox.ini"):
        return "pytest"
    if pyproject and ((root / "tests").is_dir() or "pytest" in pyproject):
        return "pytest"
    return None


def node_hint(root: Path) -> str | None:
    try:
        scripts = json.loads(read_text(root / "package.json") or "{}").get("scripts") or {}
    except (json.JSONDecodeError, AttributeError):
        return None
    test = scripts.get("test") if isinstance(scripts, dict) else None
    return f"npm test ({clip(test, 60)})" if isinstance(test, str) else None


def make_hint(root: Path) -> str | None:
    for name in ("Makefile", "makefile", "GNUmakefile"):
        if re.search(r"^test\s*:", read_text(root / name), re.MULTILINE):
            return "make test"
    return None


def read_text(path: Path, limit: int = 100_000) -> str:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            return handle.read(limit)
    except OSError:
        return ""


def cap_lines(lines: list[str], cap: int) -> str:
    shown = lines[:cap]
    if len(lines) > cap:
        shown.append(f"... +{len(lines) - cap} more")
    return "\n".join(shown)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
