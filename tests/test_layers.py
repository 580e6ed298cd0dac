"""Imports run one way (sandbox → tools, session, providers → permissions → agent, tactics → app), and the core names no
tactic: read from the source with `ast` and `tokenize`, so a wrong import fails here before it makes a cycle."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from hame.tactics import TACTICS

SRC = Path(__file__).resolve().parents[1] / "src" / "hame"
ABOVE = ("hame.agent", "hame.app", "hame.tactics", "hame.ui", "hame.cli", "hame.bench", "hame.serve")
LOWER = ("tools", "permissions", "session", "providers", "sandbox")


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved (`from .x import y` counts as x and x.y)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def under(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes))


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (SRC / folder).rglob("*.py"))


def test_the_import_resolver_sees_relative_and_absolute_imports() -> None:
    assert {"hame.agent.loop", "hame.agent.loop.Agent", "hame.errors"} <= imports(SRC / "app.py")
    assert "hame.sandbox.command.run_command" in imports(SRC / "tools" / "run_shell.py")
    assert under({"hame.agentic", "hame.agent.loop", "hame.tools"}, ("hame.agent",)) == ["hame.agent.loop"]


@pytest.mark.parametrize("path", modules(*LOWER), ids=lambda p: str(p.relative_to(SRC)))
def test_lower_layers_never_import_the_agent_the_tactics_or_the_app(path: Path) -> None:
    assert under(imports(path), ABOVE) == []


@pytest.mark.parametrize("path", modules("sandbox"), ids=lambda p: str(p.relative_to(SRC)))
def test_the_sandbox_imports_only_itself_and_the_errors(path: Path) -> None:
    hame = {n for n in imports(path) if n.startswith("hame.")}
    assert under(hame, ("hame.sandbox", "hame.errors")) == sorted(hame)


@pytest.mark.parametrize("path", modules("session"), ids=lambda p: str(p.relative_to(SRC)))
def test_the_session_never_imports_tools(path: Path) -> None:
    assert under(imports(path), ("hame.tools",)) == []


@pytest.mark.parametrize("path", modules("tools", "session", "providers"), ids=lambda p: str(p.relative_to(SRC)))
def test_tools_session_and_providers_never_import_permissions(path: Path) -> None:
    """The permission rules judge tool calls from above; what the tools share with them lives in sandbox/."""
    assert under(imports(path), ("hame.permissions",)) == []


def core_files() -> list[Path]:
    return [SRC / "agent" / "loop.py", *modules("providers", "tools")]


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_the_loop_providers_and_tools_import_no_tactic(path: Path) -> None:
    """Only the seam (tactics.base) and the registry's `build`, which the loop calls with the profile's list."""
    allowed = {"hame.tactics", "hame.tactics.base", "hame.tactics.build"}
    found = under(imports(path), ("hame.tactics",))
    assert [n for n in found if n not in allowed and not n.startswith("hame.tactics.base.")] == []


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_the_loop_providers_and_tools_name_no_tactic(path: Path) -> None:
    """Not in a name, a string or a comment: `grep` for a tactic finds it only in tactics/ and the profiles."""
    named = re.compile(r"\b(" + "|".join(TACTICS) + r")\b")
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    hits = [f"line {t.start[0]}: {named.search(t.string)[0]}" for t in tokens  # type: ignore[index]
            if t.type in (tokenize.NAME, tokenize.STRING, tokenize.COMMENT) and named.search(t.string)]
    assert hits == []
