"""Usage, cost and budgets: a meter fed by the loop's events (tokens and USD per step and in total) and the
cost budget (`--max-cost`) the loop checks before every model call, that is after each model call
and the tool calls it asked for, so a run stops cleanly with its history whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import AssistantTurn, Event
from ..messages import Usage


@dataclass(frozen=True)
class Price:
    """USD per million tokens; cached input tokens are part of the input tokens and billed at `cached_input`."""

    input: float = 0.0
    output: float = 0.0
    cached_input: float = 0.0

    def cost(self, usage: Usage) -> float:
        cached = min(usage.cached_tokens, usage.input_tokens)
        fresh = usage.input_tokens - cached
        return (fresh * self.input + cached * self.cached_input + usage.output_tokens * self.output) / 1e6


FREE = Price()


@dataclass(frozen=True)
class StepUsage:
    step: int
    usage: Usage
    cost: float | None


@dataclass
class Meter:
    """Subscribe it to the event bus; `price` None means the model's price is unknown (cost shown as unknown)."""

    price: Price | None
    context_window: int | None = None
    total: Usage = field(default_factory=Usage)
    steps: list[StepUsage] = field(default_factory=list)
    context_tokens: int = 0  # the size of the conversation at the last call: its input plus its reply

    def __call__(self, event: Event) -> None:
        inner = getattr(event, "event", None)  # a subagent's event, nested in its parent's stream: it costs too
        if isinstance(inner, Event):
            self.record(inner, main=False)
        else:
            self.record(event)

    def record(self, event: Event, main: bool = True) -> None:
        if not isinstance(event, AssistantTurn):
            return
        usage = Usage(**{k: int(v) for k, v in event.usage.items() if k in USAGE_KEYS})
        self.total.add(usage)
        self.steps.append(StepUsage(event.step, usage, self.price.cost(usage) if self.price else None))
        if main:
            self.context_tokens = usage.input_tokens + usage.output_tokens

    def reset(self) -> None:
        """Start counting again (a new session in the REPL); the price and the window stay."""
        self.total, self.steps, self.context_tokens = Usage(), [], 0

    def cost_of(self, usage: dict[str, int]) -> float | None:
        """The cost of one call's usage (as events carry it); None when the price is unknown."""
        if self.price is None:
            return None
        return self.price.cost(Usage(**{k: int(v) for k, v in usage.items() if k in USAGE_KEYS}))

    @property
    def cost(self) -> float | None:
        return None if self.price is None else sum(s.cost or 0.0 for s in self.steps)

    @property
    def tokens(self) -> int:
        return self.total.input_tokens + self.total.output_tokens

    @property
    def context_fill(self) -> float | None:
        return self.context_tokens / self.context_window if self.context_window else None


USAGE_KEYS = ("input_tokens", "output_tokens", "cached_tokens")


@dataclass(frozen=True)
class Budget:
    """The spending limit of this process (`--max-cost`); the token budget is the loop's `max_total_tokens`."""

    max_cost: float | None = None  # USD

    def exceeded(self, meter: Meter) -> str | None:
        """Why the run must stop, or None."""
        cost = meter.cost
        if self.max_cost is not None and cost is not None and cost >= self.max_cost:
            return f"spent ${cost:.4f}, the budget is ${self.max_cost:.4f} (--max-cost)"
        return None
