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
    protect_tests: bool = False
    delegate_depth: int = 1  # subagent nesting allowed by default ([delegate] max_depth); 0: no delegate tool
    system_prompt: str = "system.md"  # a file in hame/prompts
    number_lines: bool = True
    guess_check: bool = False  # without --check, run the workspace's tests (if found) after every change
    fix_writes: bool = False  # write_file repairs certain mistakes: missing imports, dropped definitions
    restarts: bool = False  # after a failed check, continue from the task, not the whole history (agent/restarts.py)
    resample: bool = False  # a reply that repeats a call that already failed is dropped and sampled again, hotter
    force_writes: bool = False  # while the check fails, each reply must write one of the files to change
    focus: bool = False  # restarts: after a near miss, ask for only the functions to fix (tools/splice.py)
    plain_retries: int = 0  # restarts: retry the first request unchanged this many times before noted restarts
    error_hints: bool = False  # a failing check's report explains common Python errors (context/error_hints.py)


FRONTIER = Profile("default")
# Plain retries: the same solves as noted restarts alone on both small models, with far fewer prompt tokens
# processed (the retry's prompt is all in the KV cache) and a better pass rate a try (bench/RESULTS.md, session 8)
SMALL_LOCAL = Profile("small-local", tool_protocol="constrained", temperature=0.2, max_tokens=1024,
                      one_call_per_turn=True, max_output_chars=4000, context_window=16384,
                      repo_map_tokens=512, exclude_tools=("apply_patch", "remember", "search", "edit_file", "todo"),
                      attach_mentioned_files=True, protect_tests=True, delegate_depth=0,
                      system_prompt="system_small.md", number_lines=False, guess_check=True, restarts=True,
                      fix_writes=True, resample=True, plain_retries=12)
# Below 2B parameters a model writes worse code inside a JSON string: in constrained mode the 0.5B wrote stubs
# or junk in 85 % of its writes (153 of 180), in `whole` mode 16 % (bench/RESULTS.md, session 3); the 1.5B solved
# the same 8 of 20 tasks either way, with 27 % fewer output tokens and 11 % less time a task in `whole` (session 6)
TINY_LOCAL = replace(SMALL_LOCAL, name="tiny-local", tool_protocol="whole")
TINY_BELOW_B = 2.0  # parameters (billions) under which a local model gets `tiny-local`
SCRIPTED = Profile("scripted", tool_protocol="native", max_tokens=None)
CLAUDE = Profile("claude", max_tokens=8192, context_window=200_000)


def profile_for(provider: str, name: str) -> Profile:
    if provider == "scripted":
        return SCRIPTED
    if provider == "anthropic":
        return CLAUDE
    if provider == "local":
        return TINY_LOCAL if _billions(name) < TINY_BELOW_B else SMALL_LOCAL
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
