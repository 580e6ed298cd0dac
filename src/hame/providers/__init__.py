"""Model providers behind one interface, chosen by `--model PROVIDER:NAME`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UsageError
from .base import ModelRequest, Provider

PROVIDERS = ("local", "openai", "anthropic", "scripted")


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    name: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.name}" if self.name else self.provider


def parse_model(spec: str) -> ModelSpec:
    provider, _, name = spec.partition(":")
    provider = provider.strip().lower()
    if provider not in PROVIDERS:
        raise UsageError(f"unknown model provider {provider!r} in --model {spec!r}; "
                         f"use one of: {', '.join(p + ':NAME' for p in PROVIDERS)}")
    if provider in ("openai", "anthropic", "scripted") and not name:
        example = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-5"}.get(provider, "turns.jsonl")
        raise UsageError(f"--model {provider}: needs a name, e.g. --model {provider}:{example}")
    return ModelSpec(provider, name)


def missing_credentials(provider: str, base_url: str | None, api_key: str | None) -> str | None:
    """Why a server model cannot be reached with neither a URL nor a key (flags, else the environment)."""
    env = {"openai": "OPENAI", "anthropic": "ANTHROPIC"}.get(provider)
    if env is None or base_url or api_key or os.environ.get(f"{env}_BASE_URL") or os.environ.get(f"{env}_API_KEY"):
        return None
    if provider == "openai":
        return ("--model openai:NAME needs --base-url (any OpenAI-compatible server) or an API key "
                "(--api-key or OPENAI_API_KEY) for api.openai.com")
    return ("--model anthropic:NAME needs an API key (--api-key or ANTHROPIC_API_KEY), "
            "or --base-url for a server speaking the Anthropic Messages API")


def open_openai(name: str, base_url: str | None, api_key: str | None, notice: Callable[[str], None],
                context_window: int | None = None) -> Provider:
    from .openai_compat import OpenAICompatible

    base_url = base_url or os.environ.get("OPENAI_BASE_URL")
    api_key = api_key or os.environ.get("OPENAI_API_KEY")
    if problem := missing_credentials("openai", base_url, api_key):
        raise UsageError(problem)
    if context_window is None and base_url:  # a llama.cpp / vLLM server says how big its window is
        from .server_info import probe_context_window

        context_window = probe_context_window(base_url, name, api_key)
    return OpenAICompatible(name, base_url=base_url, api_key=api_key, notice=notice, context_window=context_window)


def open_anthropic(name: str, base_url: str | None, api_key: str | None, notice: Callable[[str], None],
                   context_window: int | None = None) -> Provider:
    from .anthropic_provider import AnthropicProvider

    base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL")
    api_key = api_key or os.environ.get("ANTHROPIC_API_KEY")
    if problem := missing_credentials("anthropic", base_url, api_key):
        raise UsageError(problem)
    return AnthropicProvider(name, base_url=base_url, api_key=api_key, notice=notice, context_window=context_window)


__all__ = ["ModelRequest", "ModelSpec", "Provider", "open_anthropic", "open_openai", "parse_model"]
