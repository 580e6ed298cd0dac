"""Which tactics a run uses, and where that came from: the profile's list, then the config's `tactics` (a whole
list, or `+name`/`-name` switches), then the environment: `HAME_TACTICS=+focus,-resample`, and the older one-tactic
switches HAME_FORCE_WRITES, HAME_FOCUS_REPAIR, HAME_ERROR_HINTS (on/off) and HAME_PLAIN_RETRIES (0 is off)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..switches import env_count, env_switch
from ..tactics import switched
from .profiles import Profile

OLD_SWITCHES = {"HAME_FORCE_WRITES": "forced_writes", "HAME_FOCUS_REPAIR": "focus", "HAME_ERROR_HINTS": "error_hints"}


@dataclass(frozen=True)
class TacticChoice:
    names: list[str]
    sources: list[str]  # what set the list, in order: "profile small-local", "config ...", "env HAME_TACTICS"


def effective_tactics(profile: Profile, configured: tuple[list[str], str] | None = None) -> TacticChoice:
    names, sources = list(profile.tactics), [f"profile {profile.name}"]
    if configured is not None:
        items, where = configured
        names = switched(names, ",".join(items), where)
        sources.append(where)
    for var, name in OLD_SWITCHES.items():
        if (on := env_switch(var)) is not None:
            names = switched(names, ("+" if on else "-") + name, var)
            sources.append(f"env {var}")
    if env_count("HAME_PLAIN_RETRIES") == 0:
        names = switched(names, "-plain_retries", "HAME_PLAIN_RETRIES")
        sources.append("env HAME_PLAIN_RETRIES")
    if spec := os.environ.get("HAME_TACTICS", "").strip():
        names = switched(names, spec)
        sources.append("env HAME_TACTICS")
    return TacticChoice(names, sources)
