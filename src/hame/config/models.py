"""Which model a run uses: `model` is a `[models.NAME]` entry or a PROVIDER:NAME spec. An entry's own values win
over the general keys and the environment; flags win over everything."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..agent.limits import FREE, Price
from ..errors import UsageError
from ..providers import parse_model
from .layers import Effective
from .schema import ModelEntry

FREE_PROVIDERS = ("local", "scripted")


@dataclass(frozen=True)
class ModelChoice:
    spec: str  # PROVIDER:NAME, as the providers parse it
    entry: str | None  # the [models] entry picked, if any
    base_url: str | None
    api_key: str | None
    api_key_source: str | None
    profile: str | None
    context_window: int | None
    temperature: float | None
    tool_protocol: str | None
    price: Price | None  # None: unknown
    price_key: str | None
    tactics: tuple[list[str], str] | None = None  # (names or +name/-name switches, where they came from)


def choose_model(eff: Effective, environ: Mapping[str, str] | None = None) -> ModelChoice:
    environ = os.environ if environ is None else environ
    name = eff.config.model or "local"
    entry = eff.config.models.get(name)
    spec = _spec(name, entry, eff)
    entry = entry or ModelEntry()
    provider = spec.split(":", 1)[0]
    key, key_source = _api_key(eff, entry, name, environ, provider)
    base_url = _pick(eff, "base_url", entry.base_url, provider)
    price, price_key = price_for(eff, name if eff.config.models.get(name) else None, spec, base_url)
    return ModelChoice(
        spec=spec, entry=name if eff.config.models.get(name) else None,
        base_url=base_url, api_key=key, api_key_source=key_source,
        profile=_pick(eff, "profile", entry.profile), context_window=_pick(eff, "context_window", entry.context_window),
        temperature=_pick(eff, "temperature", entry.temperature),
        tool_protocol=_pick(eff, "tool_protocol", entry.tool_protocol), price=price, price_key=price_key,
        tactics=_tactics(eff, entry, name))


def _tactics(eff: Effective, entry: ModelEntry, name: str) -> tuple[list[str], str] | None:
    """The entry's `tactics`, else the general key's, with where it came from."""
    if entry.tactics is not None:
        return entry.tactics, eff.source(f"models.{name}.tactics")
    return (eff.config.tactics, eff.source("tactics")) if eff.config.tactics is not None else None


def _spec(name: str, entry: ModelEntry | None, eff: Effective) -> str:
    text = (f"{entry.provider}:{entry.model}" if entry.model else entry.provider) if entry else name
    try:
        return str(parse_model(text))
    except UsageError as exc:
        where = eff.source(f"models.{name}.provider") if entry else eff.source("model")
        known = ", ".join(eff.config.models) or "none defined"
        hint = "" if entry else f"; it is not a [models] entry either (entries: {known})"
        raise UsageError(f"model {name!r} (from {where}): {exc}{hint}") from None


def _pick(eff: Effective, key: str, entry_value: object, provider: str = "") -> object:
    """A flag wins; then the entry's own value; then the general key (environment, files, default)."""
    general = _general(eff, key, provider)
    if eff.source(key).startswith("flag"):
        return general
    return entry_value if entry_value is not None else general


def _general(eff: Effective, key: str, provider: str) -> object:
    """The general value of `key`, except that OPENAI_BASE_URL and OPENAI_API_KEY apply to openai models only."""
    if eff.source(key).startswith("env OPENAI_") and provider != "openai":
        return None
    return getattr(eff.config, key)


def _api_key(eff: Effective, entry: ModelEntry, name: str, environ: Mapping[str, str],
             provider: str) -> tuple[str | None, str | None]:
    if eff.config.api_key and eff.source("api_key").startswith("flag"):
        return eff.config.api_key, eff.source("api_key")
    if entry.api_key_env:
        value = environ.get(entry.api_key_env, "").strip()
        if not value:
            raise UsageError(f"model {name!r}: api_key_env = {entry.api_key_env!r} (from "
                             f"{eff.source(f'models.{name}.api_key_env')}) but that environment variable is not set")
        return value, f"env {entry.api_key_env}"
    if _general(eff, "api_key", provider):
        return eff.config.api_key, eff.source("api_key")
    return None, None


def price_for(eff: Effective, entry: str | None, spec: str, base_url: str | None = None
              ) -> tuple[Price | None, str | None]:
    """The price of `[prices.ENTRY]`, else `[prices."PROVIDER:NAME"]`; local and scripted models, and a server on
    this machine (Ollama, LM Studio, llama.cpp, vLLM at localhost), are free unless a price is configured."""
    for key in (entry, spec):
        found = eff.config.prices.get(key) if key else None
        if found:
            cached = found.input if found.cached_input is None else found.cached_input
            return Price(found.input, found.output, cached), key
    if spec.split(":", 1)[0] in FREE_PROVIDERS or on_this_machine(base_url):
        return FREE, None
    return None, None


def on_this_machine(url: str | None) -> bool:
    host = urlsplit(url).hostname if url else None
    return host in ("localhost", "::1") or bool(host and host.startswith("127."))
