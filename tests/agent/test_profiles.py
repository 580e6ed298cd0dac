"""Which profile a model gets: a local model under 2B parameters writes files as fenced blocks (`tiny-local`),
larger local models get constrained JSON calls (`small-local`), API models are left unconstrained."""

from __future__ import annotations

import pytest

from hame.agent.profiles import named_profile, profile_for
from hame.errors import UsageError


@pytest.mark.parametrize(("name", "profile", "protocol"), [
    ("qwen2.5-coder-0.5b", "tiny-local", "whole"),
    ("/models/qwen2.5-coder-0.5b-instruct-q8_0.gguf", "tiny-local", "whole"),
    ("smollm2-360m", "tiny-local", "whole"),
    ("qwen2.5-coder-1.5b", "tiny-local", "whole"),
    ("qwen2.5-coder-3b", "small-local", "constrained"),
    ("my-model.gguf", "small-local", "constrained"),  # no size in the name: the small profile
])
def test_local_models_by_size(name: str, profile: str, protocol: str) -> None:
    p = profile_for("local", name)
    assert (p.name, p.tool_protocol) == (profile, protocol)
    assert {"restarts", "resample", "protect_tests"} <= set(p.tactics)  # the small-model aids either way


@pytest.mark.parametrize(("name", "profile"), [
    ("qwen2.5-coder-1.5b", "tiny-local"),  # `hame serve-model`, vf-eval's -m
    ("qwen2.5-coder:1.5b", "tiny-local"),  # Ollama's tag
    ("Qwen/Qwen2.5-Coder-7B-Instruct", "small-local"),  # vLLM's repository name
    ("qwen2.5-coder:32b", "default"),
    ("gpt-4.1-mini", "default"),  # no size in the name: an API model
])
def test_served_models_by_the_size_their_name_gives(name: str, profile: str) -> None:
    assert profile_for("openai", name).name == profile


def test_api_models_and_named_profiles() -> None:
    assert profile_for("openai", "gpt-4.1-mini").name == "default"
    assert profile_for("anthropic", "claude-sonnet-4").name == "claude"
    assert named_profile("tiny-local").tool_protocol == "whole"
    with pytest.raises(UsageError, match="tiny-local"):
        named_profile("huge")
