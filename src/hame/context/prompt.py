"""The stable prefix: system prompt, tool descriptions (text protocols), workspace facts, instruction files and
the repo map — built once per session, so every later request starts with the same bytes."""

from __future__ import annotations

from importlib import resources

from ..tools.base import Tool


def load_prompt(name: str) -> str:
    return resources.files("hame.prompts").joinpath(name).read_text(encoding="utf-8").strip()


def prompt_variant(name: str, definitions: bool) -> str:
    """`name`, or its `_definitions` variant where one exists when a write replaces definitions, not whole files."""
    alt = name.removesuffix(".md") + "_definitions.md"
    return alt if definitions and resources.files("hame.prompts").joinpath(alt).is_file() else name


def tools_section(tools: list[Tool]) -> str:
    """Tool list for protocols where the schemas are not sent natively."""
    lines = []
    for tool in tools:
        props = tool.parameters().get("properties", {})
        args = ", ".join(f"{k}: {v.get('type', 'any')}" for k, v in props.items())
        lines.append(f"- {tool.name}({args}): {tool.description}")
    return "\n".join(lines)


def build_system_prompt(sections: list[str]) -> str:
    return "\n\n".join(s.strip() for s in sections if s and s.strip())
