"""Layered configuration: defaults < ~/.config/hame/config.toml < .hame/config.toml < environment < flags.

Each layer is validated on its own (so an error names its file, variable or flag), merged in order (tables key by
key; permission rule lists concatenated) and every leaf remembers which layer set it, for `hame config`."""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .files import LIST_KEYS, merge, project_config_path, read_toml, user_config_path
from .schema import ConfigModel, dotted, validate_layer

ENV_KEYS = {"HAME_MODEL": "model", "OPENAI_BASE_URL": "base_url", "OPENAI_API_KEY": "api_key",
            "HAME_MAX_STEPS": "max_steps", "HAME_APPROVAL": "approval", "HAME_SANDBOX": "sandbox",
            "HAME_MAX_COST": "max_cost", "HAME_MAX_TOKENS": "max_tokens", "HAME_PROFILE": "profile"}

FLAG_KEYS = ("model", "base_url", "api_key", "max_steps", "tool_protocol", "temperature", "approval", "sandbox",
             "sandbox_network", "context_window", "max_cost", "max_tokens", "check", "profile")


@dataclass(frozen=True)
class Layer:
    name: str  # "default", a file path, "environment", "flags"
    data: dict[str, Any]
    labels: Mapping[str, str]  # top-level key -> where it came from, when finer than `name` ("env HAME_MODEL")
    from_file: bool = False

    def label(self, key: str) -> str:
        return self.labels.get(key, self.name)


@dataclass(frozen=True)
class Effective:
    """The merged configuration and, for every leaf key (dotted, as TOML writes it), where its value came from."""

    config: ConfigModel
    sources: dict[str, str]
    values: dict[str, Any]

    def source(self, key: str) -> str:
        return self.sources.get(key, "default")


def default_layer() -> Layer:
    text = resources.files("hame.config").joinpath("defaults.toml").read_text(encoding="utf-8")
    return Layer("default", tomllib.loads(text), {})


def file_layer(path: Path) -> Layer:
    return Layer(str(path), read_toml(path), {}, from_file=True)


def env_layer(environ: Mapping[str, str]) -> Layer:
    """The variables that are set, as typed values ("40" -> 40); a bad one is an error naming the variable."""
    found = {var: key for var, key in ENV_KEYS.items() if environ.get(var, "").strip()}
    data = {key: getattr(validate_layer({key: environ[var].strip()}, f"env {var}", from_file=False), key)
            for var, key in found.items()}
    return Layer("environment", data, {key: f"env {var}" for var, key in found.items()})


def flag_layer(flags: Mapping[str, Any]) -> Layer:
    given = {k: v for k, v in flags.items() if v is not None}
    return Layer("flags", given, {k: "flag --" + k.replace("_", "-") for k in given})


def flags_from(args: object) -> dict[str, Any]:
    """The config keys given on the command line (argparse leaves the others None)."""
    return {key: getattr(args, key, None) for key in FLAG_KEYS}


def layers(workspace: Path, flags: Mapping[str, Any] | None = None,
           environ: Mapping[str, str] | None = None) -> list[Layer]:
    workspace = Path(os.path.realpath(workspace))
    return [default_layer(), file_layer(user_config_path()), file_layer(project_config_path(workspace)),
            env_layer(os.environ if environ is None else environ), flag_layer(flags or {})]


def combine(stack: list[Layer]) -> Effective:
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for layer in stack:
        if not layer.data:
            continue
        _validate(layer)
        for loc, value in leaves(layer.data):
            key = dotted(loc)
            label = layer.label(str(loc[0]))
            concat = loc[-1] in LIST_KEYS and isinstance(value, list) and key in sources
            sources[key] = f"{sources[key]} + {label}" if concat else label
        merge(merged, copy.deepcopy(layer.data))
    return Effective(ConfigModel.model_validate(merged), sources, merged)


def effective_config(workspace: Path, flags: Mapping[str, Any] | None = None,
                     environ: Mapping[str, str] | None = None) -> Effective:
    return combine(layers(workspace, flags, environ))


def leaves(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            yield from leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def _validate(layer: Layer) -> None:
    """Files as a whole; the environment and flags key by key, so an error names the variable or flag."""
    if layer.labels:
        for key, value in layer.data.items():
            validate_layer({key: value}, layer.label(key), from_file=False)
    else:
        validate_layer(layer.data, layer.name, from_file=layer.from_file)
