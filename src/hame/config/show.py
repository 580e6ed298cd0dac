"""`hame config [flags] [--json]`: the effective configuration, where each value came from, and the model chosen."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .files import project_config_path, user_config_path
from .layers import Effective, effective_config, flags_from, leaves
from .models import ModelChoice, choose_model
from .schema import ConfigModel, dotted
from .sections import check_sections

if TYPE_CHECKING:
    from ..agent.profiles import Profile

SECRET_KEYS = ("api_key",)
UNSET_NOTES = {"approval": "full-auto headless, ask in the REPL", "temperature": "from the model profile",
               "context_window": "from the model profile", "base_url": "the provider's own",
               "max_cost": "no limit", "max_tokens": "no limit", "api_key": "the provider's environment variable"}


def config_main(argv: list[str], parser: argparse.ArgumentParser) -> int:
    parser.prog = "hame config"
    parser.description = "show the effective configuration and where each value came from (the same flags apply)"
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    check_sections(Path(os.path.realpath(args.cwd)))
    if args.task is not None:
        parser.error(f"unexpected argument {args.task!r}")
    eff = effective_config(Path(args.cwd), flags_from(args))
    model = _chosen_model(eff)
    report = as_dict(eff, model, Path(os.path.realpath(args.cwd)))
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else render(report))
    return 2 if "error" in model else 0


def _chosen_model(eff: Effective) -> dict[str, Any]:
    """The model a run would use, with its tactics, or `{"error": ...}`: why a run would stop with exit code 2 (a
    bad name, no URL or key, an unknown tactic)."""
    from ..providers import missing_credentials, parse_model

    try:
        choice = choose_model(eff)
        problem = missing_credentials(parse_model(choice.spec).provider, choice.base_url, choice.api_key)
        return {"error": problem} if problem else _model(choice)
    except UsageError as exc:
        return {"error": str(exc)}


def as_dict(eff: Effective, model: dict[str, Any], workspace: Path) -> dict[str, Any]:
    values = {dotted(loc): {"value": _shown(loc, v), "source": eff.source(dotted(loc))}
              for loc, v in leaves(eff.values)}
    values = _group_prices(values)
    unset = {k: {"value": None, "source": "unset", "note": note} for k, note in UNSET_NOTES.items()
             if k not in values and k in ConfigModel.model_fields}
    files = [{"path": str(p), "exists": p.is_file()} for p in (user_config_path(), project_config_path(workspace))]
    return {"values": values | unset, "model": model, "files": files}


def _group_prices(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One row per price entry whose fields all come from one place: `prices."openai:gpt-4o" = {input = 2.5, ...}`."""
    grouped: dict[str, dict[str, Any]] = {}
    for key, row in values.items():
        entry, _, field = key.rpartition(".")
        if not key.startswith("prices.") or entry == "prices":
            grouped[key] = row
            continue
        group = grouped.setdefault(entry, {"value": {}, "source": row["source"]})
        group["value"][field] = row["value"]
        if group["source"] != row["source"]:
            group["source"] = "mixed"
    for key, row in list(grouped.items()):
        if row["source"] == "mixed":
            del grouped[key]
            grouped |= {f"{key}.{f}": {"value": v, "source": values[f"{key}.{f}"]["source"]}
                        for f, v in row["value"].items()}
    return grouped


def _shown(loc: tuple[str, ...], value: Any) -> Any:
    return "***" if loc[-1] in SECRET_KEYS and value else value


def _model(c: ModelChoice) -> dict[str, Any]:
    price = None if c.price is None else {"input": c.price.input, "output": c.price.output,
                                          "cached_input": c.price.cached_input, "from": c.price_key or "free"}
    return {"spec": c.spec, "entry": c.entry, "base_url": c.base_url, "api_key": c.api_key_source,
            "profile": _profile(c).name, "context_window": c.context_window, "temperature": c.temperature,
            "tool_protocol": c.tool_protocol, "price_per_million_tokens": price, "tactics": _tactics(c)}


def _profile(c: ModelChoice) -> Profile:
    """The profile the config names, else the one the provider and the model's name give."""
    from ..agent.profiles import named_profile, profile_for

    if c.profile:
        return named_profile(c.profile)
    provider, _, name = c.spec.partition(":")
    if provider == "local" and not name:
        from ..providers.model_store import best_installed

        name = best_installed()
    return profile_for(provider, name)


def _tactics(c: ModelChoice) -> dict[str, Any]:
    """The tactics the model's profile, the config and the environment give (docs/tactics.md)."""
    from ..agent.tactic_choice import effective_tactics

    choice = effective_tactics(_profile(c), c.tactics)
    return {"names": choice.names, "from": choice.sources}


def render(report: dict[str, Any]) -> str:
    rows = [(k, _toml(v["value"]) if v["source"] != "unset" else f"(not set: {v['note']})", v["source"])
            for k, v in sorted(report["values"].items(), key=lambda kv: _order(kv[0]))]
    width = max(len(r[0]) for r in rows)
    vwidth = min(60, max(len(r[1]) for r in rows))
    lines = ["# effective configuration: default < user file < project file < environment < flags", ""]
    lines += [f"{k:<{width}}  {v:<{vwidth}}  # {src}" for k, v, src in rows]
    lines += ["", "# model", *_model_lines(report["model"]), "", "# files"]
    lines += [f"{f['path']}  ({'read' if f['exists'] else 'not found'})" for f in report["files"]]
    return "\n".join(lines)


def _model_lines(model: dict[str, Any]) -> list[str]:
    if "error" in model:
        return [f"error: {model['error']}"]
    picked = f"{model['entry']} → {model['spec']}" if model["entry"] else model["spec"]
    price = model["price_per_million_tokens"]
    cost = ("unknown (add a [prices] entry)" if price is None else
            f"${price['input']} input, ${price['output']} output, ${price['cached_input']} cached input "
            f"per million tokens ({price['from']})")
    return [f"model           {picked}", f"base_url        {model['base_url'] or '(the provider default)'}",
            f"api key         {model['api_key'] or '(none)'}",
            f"profile         {model['profile']}", f"price           {cost}",
            f"tactics         {', '.join(model['tactics']['names']) or '(none)'}  "
            f"# {' < '.join(model['tactics']['from'])}"]


def _order(key: str) -> tuple[int, str]:
    top = key.split(".", 1)[0]
    rank = 1 if top in ("models", "prices") else 2 if "." in key else 0
    return rank, key


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        text = "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
