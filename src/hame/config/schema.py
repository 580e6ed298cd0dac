"""What a config file may hold: a pydantic schema with unknown keys refused, so a typo is an error that names
the file and the key instead of a setting silently ignored. Sections owned by other components are free tables."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import UsageError

FREE_TABLES = ("permissions", "mcp", "hooks", "delegate")  # validated by the components that read them


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelEntry(Strict):
    """`[models.NAME]`: a named model; `--model NAME` (or `model = "NAME"`) picks it."""

    provider: str = "openai"
    model: str = ""
    base_url: str | None = None
    api_key_env: str | None = Field(None, description="the environment variable holding the API key")
    profile: str | None = None
    context_window: int | None = Field(None, ge=1024)
    temperature: float | None = Field(None, ge=0)
    tool_protocol: Literal["auto", "native", "text", "constrained", "whole"] | None = None
    tactics: list[str] | None = None  # the profile's tactics replaced (names) or switched (+name, -name)


class PriceEntry(Strict):
    """`[prices."PROVIDER:NAME"]` or `[prices.NAME]`: USD per million tokens."""

    input: float = Field(0.0, ge=0)
    output: float = Field(0.0, ge=0)
    cached_input: float | None = Field(None, ge=0, description="default: the input price")


class ConfigModel(Strict):
    """Every key a layer may set. `api_key` comes only from the environment or a flag, never from a file."""

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    max_steps: int | None = Field(None, ge=1)
    tool_protocol: Literal["auto", "native", "text", "constrained", "whole"] | None = None
    profile: str | None = None  # a named profile over the one the model's name gives (agent/profiles.py)
    temperature: float | None = Field(None, ge=0)
    approval: Literal["read-only", "ask", "auto-edit", "full-auto"] | None = None
    sandbox: Literal["auto", "bwrap", "none"] | None = None
    sandbox_network: bool | None = None
    sandbox_env: list[str] | None = None  # variables passed to shell commands beyond the safe list
    check: str | None = None  # a command run after every change (e.g. the tests); --check
    context_window: int | None = Field(None, ge=1024)
    max_cost: float | None = Field(None, gt=0)
    max_tokens: int | None = Field(None, ge=1)
    tactics: list[str] | None = None  # the profile's weak-model tactics replaced (names) or switched (+name, -name)
    models: dict[str, ModelEntry] = Field(default_factory=dict)
    prices: dict[str, PriceEntry] = Field(default_factory=dict)
    permissions: dict[str, Any] | None = None
    mcp: dict[str, Any] | None = None
    hooks: dict[str, Any] | None = None
    delegate: dict[str, Any] | None = None


def validate_layer(data: dict[str, Any], source: str, *, from_file: bool) -> ConfigModel:
    """The layer as a ConfigModel, or a UsageError naming `source` and the offending key."""
    if from_file and "api_key" in data:
        raise UsageError(f"{source}: api_key does not belong in a config file; keep the key in an environment "
                         "variable and name it with api_key_env in a [models.NAME] entry")
    try:
        return ConfigModel.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{source}: " + "; ".join(_problem(e) for e in exc.errors())) from None


def _problem(error: Any) -> str:
    loc = tuple(error["loc"])
    key = dotted(loc)
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r} (known here: {', '.join(_known(loc[:-1]))})"
    return f"{key}: {error['msg']}"


def _known(parent: tuple[Any, ...]) -> list[str]:
    if parent[:1] == ("models",):
        return list(ModelEntry.model_fields)
    if parent[:1] == ("prices",):
        return list(PriceEntry.model_fields)
    return [k for k in ConfigModel.model_fields if k != "api_key"]


def dotted(loc: tuple[Any, ...]) -> str:
    """A key path as TOML would write it: `prices."openai:gpt-4o".input`."""
    return ".".join(str(p) if str(p).replace("_", "").replace("-", "").isalnum() else f'"{p}"' for p in loc)
