"""The status line (model, tokens, cost, context fill) and the spinner's text: pure functions over a Meter."""

from __future__ import annotations

from ..agent.limits import Meter
from ..events import ModelProgress


def tokens(n: int) -> str:
    if n < 1000:
        return str(n)
    return f"{n / 1000:.1f}k" if n < 100_000 else f"{n // 1000}k"


def cost(usd: float | None) -> str:
    if usd is None:
        return "$?"
    return f"${usd:.4f}" if usd < 1 else f"${usd:.2f}"


def status_line(model: str, meter: Meter, steps: int) -> str:
    parts = [model, f"{steps} steps", f"{tokens(meter.tokens)} tok", cost(meter.cost)]
    fill = meter.context_fill
    if fill is not None:
        parts.append(f"ctx {fill:.0%}")
    return " · ".join(parts)


def progress_text(p: ModelProgress) -> str:
    """What the server is doing: "reading the prompt 2,100/6,900 tokens (1,024 cached, 41 tok/s)" or "writing
    120 tokens (8.1 tok/s)"."""
    rate = f"{p.tokens_per_s:g} tok/s" if p.tokens_per_s else ""
    if p.stage == "prompt":
        extra = ", ".join(x for x in (f"{p.cached:,} cached" if p.cached else "", rate) if x)
        return f"reading the prompt {p.done:,}/{p.total:,} tokens" + (f" ({extra})" if extra else "")
    return f"writing {p.done:,} tokens" + (f" ({rate})" if rate else "")


def working_line(phase: str, elapsed: float, meter: Meter, inflight: tuple[int, int] | None = None) -> str:
    """`inflight`: while the model works, the estimated tokens sent and streamed back so far."""
    flow = f" · ↑{tokens(inflight[0])} ↓{tokens(inflight[1])} tok" if inflight else ""
    return (f"{phase} · {elapsed:.1f}s{flow} · session {tokens(meter.tokens)} tok {cost(meter.cost)}"
            " · Ctrl-C stops this step")


def usage_report(meter: Meter, last: int = 20) -> str:
    """`/usage`: tokens and cost of the last steps and of the whole session."""
    rows = [f"step {s.step:>3}  in {tokens(s.usage.input_tokens):>6}  (cached {tokens(s.usage.cached_tokens):>6})  "
            f"out {tokens(s.usage.output_tokens):>6}  {cost(s.cost)}" for s in meter.steps[-last:]]
    t = meter.total
    rows.append(f"total     in {tokens(t.input_tokens):>6}  (cached {tokens(t.cached_tokens):>6})  "
                f"out {tokens(t.output_tokens):>6}  {cost(meter.cost)}" + ("" if meter.price else
                                                                          "  (no price for this model)"))
    return "\n".join(rows)
