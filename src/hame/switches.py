"""On/off and count switches from the environment, for A/B benchmark runs and a few opt-outs; a bad value is a
clear usage error, not a silent default."""

from __future__ import annotations

import os

from .errors import UsageError


def env_switch(name: str) -> bool | None:
    """An on/off environment variable (None when unset)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return None
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False
    raise UsageError(f"{name}={value!r}: use on or off")


def env_count(name: str) -> int | None:
    """A non-negative integer environment variable (None when unset)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise UsageError(f"{name}={value!r}: use a whole number, 0 or more")
    return int(value)
