"""Weak-model tactics: each one behaviour beside the agent loop, in one module, switched on by naming it in a
profile (`tactics = [...]`); the loop calls them at a few fixed points (base.py), in the order the profile lists
them. What each does and the evidence for it: docs/tactics.md."""

from __future__ import annotations

from ..errors import UsageError
from .base import Reply, Shape, State, Stop, Tactic, Turn
from .concrete_feedback import ConcreteFeedback
from .definition_edits import Definitions
from .early_stop import EarlyStop
from .error_hints import ErrorHints
from .fill_in import FillIn
from .focus import Focus
from .forced_writes import ForcedWrites
from .localize import Localize
from .protect_tests import ProtectTests
from .resample import Resample
from .restarts import PlainRetries, RestartTactic
from .salvage import Salvage
from .steering import SteeringTactic
from .watches import Watches
from .write_repairs import WriteRepairs

# every tactic, in the order a switch puts one into a profile's list (see `switched`)
ORDER: tuple[type[Tactic], ...] = (Definitions, Localize, FillIn, ProtectTests, Salvage, Watches,
                                   WriteRepairs, Focus, ForcedWrites, ErrorHints, ConcreteFeedback, RestartTactic,
                                   PlainRetries, Resample, SteeringTactic, EarlyStop)
TACTICS: dict[str, type[Tactic]] = {t.name: t for t in ORDER}

__all__ = ["ORDER", "TACTICS", "Reply", "Shape", "State", "Stop", "Tactic", "Turn", "build", "check_names",
           "switched"]


def check_names(names: list[str], where: str) -> list[str]:
    unknown = [n for n in names if n not in TACTICS]
    if unknown:
        raise UsageError(f"{where}: unknown tactic {unknown[0]!r}; use one of: {', '.join(TACTICS)}")
    return list(names)


def switched(names: list[str], spec: str, where: str = "HAME_TACTICS") -> list[str]:
    """`names` with `spec` applied: `+focus,-resample` adds and removes (an added one goes where ORDER puts it
    among the listed ones); a spec without signs is the whole list."""
    items = [s.strip() for s in spec.split(",") if s.strip()]
    if items and not any(s[0] in "+-" for s in items):
        return check_names(items, where)
    out = list(names)
    for item in items:
        if item[0] not in "+-":
            raise UsageError(f"{where}={spec!r}: mix no plain names with +name/-name")
        name = check_names([item[1:]], where)[0]
        if item[0] == "-":
            out = [n for n in out if n != name]
        elif name not in out:
            rank = list(TACTICS).index(name)
            at = next((i for i, n in enumerate(out) if list(TACTICS).index(n) > rank), len(out))
            out.insert(at, name)
    return out


def build(names: list[str], state: State) -> State:
    """The tactics named, in that order, sharing `state` (which then lists them)."""
    state.tactics = [TACTICS[n](state) for n in check_names(names, "tactics")]
    return state
