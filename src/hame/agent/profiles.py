"""Model profiles: per-model defaults that make a weak model succeed (tool protocol, sampling, output caps)
and keep a strong one unconstrained."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Profile:
    name: str
    tool_protocol: str = "native"
    temperature: float | None = None
    max_tokens: int | None = 4096
    one_call_per_turn: bool = False
    max_output_chars: int = 12000
    context_window: int = 32768
    repo_map_tokens: int = 2048  # Aider grows its 1k map 8x while no file is in the chat; 2k is a middle way
    exclude_tools: tuple[str, ...] = ()
    include_tools: tuple[str, ...] = ()  # optional tools this profile adds (tools/__init__.py: show_definition)
    attach_mentioned_files: bool = False
    attach_tests: bool = True  # with attach_mentioned_files: the named test files too, not only the code to change
    delegate_depth: int = 1  # subagent nesting allowed by default ([delegate] max_depth); 0: no delegate tool
    system_prompt: str = "system.md"  # a file in hame/prompts
    number_lines: bool = True
    guess_check: bool = False  # without --check, run the workspace's tests (if found) after every change
    tactics: tuple[str, ...] = ("steering",)  # weak-model tactics, in the order they are asked (docs/tactics.md)
    plain_retries: int = 3  # with the `plain_retries` tactic: how many (docs/tactics.md)


FRONTIER = Profile("default")
# `definition_edits` and `localize` act only on a repository (a package or many source files): docs/tactics.md
SMALL_TACTICS = ("definition_edits", "localize", "fill_in", "protect_tests", "salvage", "watches", "write_repairs",
                 "restarts", "plain_retries", "resample", "steering", "early_stop", "concrete_feedback")
SMALL_LOCAL = Profile("small-local", tool_protocol="constrained", temperature=0.2, max_tokens=1024,
                      one_call_per_turn=True, max_output_chars=4000, context_window=16384,
                      repo_map_tokens=512, exclude_tools=("apply_patch", "remember", "search", "edit_file", "todo"),
                      attach_mentioned_files=True, delegate_depth=0, system_prompt="system_small.md",
                      number_lines=False, guess_check=True, tactics=SMALL_TACTICS)
# below 2B parameters a model writes worse code inside a JSON string: whole files in fenced blocks (docs/tactics.md)
TINY_LOCAL = replace(SMALL_LOCAL, name="tiny-local", tool_protocol="whole")
TINY_BELOW_B = 2.0  # parameters (billions) under which a local model gets `tiny-local`
SMALL_BELOW_B = 15.0  # a served model whose name gives fewer parameters gets the local profiles too
SCRIPTED = Profile("scripted", tool_protocol="native", max_tokens=None)
CLAUDE = Profile("claude", max_tokens=8192, context_window=200_000)


def profile_for(provider: str, name: str) -> Profile:
    if provider == "scripted":
        return SCRIPTED
    if provider == "anthropic":
        return CLAUDE
    size = _billions(name)
    # a small model behind any OpenAI-compatible server (Ollama, vLLM, `hame serve-model`) needs the same aids
    if provider == "local" or size < SMALL_BELOW_B:
        return TINY_LOCAL if size < TINY_BELOW_B else SMALL_LOCAL
    return FRONTIER


def _billions(name: str) -> float:
    """The parameter count a model's name gives (`qwen2.5-coder-0.5b` 0.5, `smollm2-360m` 0.36); inf if none."""
    m = re.search(r"(\d+(?:\.\d+)?)([bm])\b", name.lower())
    if not m:
        return float("inf")
    return float(m.group(1)) / (1000 if m.group(2) == "m" else 1)


def with_overrides(profile: Profile, **overrides: object) -> Profile:
    return replace(profile, **{k: v for k, v in overrides.items() if v is not None})


def named_profile(name: str) -> Profile:
    """A profile by name, as a `[models.NAME]` entry's `profile = "small-local"` gives it."""
    known = {p.name: p for p in (FRONTIER, SMALL_LOCAL, TINY_LOCAL, SCRIPTED, CLAUDE)}
    if name not in known:
        from ..errors import UsageError

        raise UsageError(f"unknown profile {name!r}; use one of: {', '.join(known)}")
    return known[name]
