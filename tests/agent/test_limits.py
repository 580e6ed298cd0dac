"""Cost arithmetic, the meter fed by real events, the cost budget, and closing a turn cut by Ctrl-C."""

from __future__ import annotations

from hame.agent.interrupt import INTERRUPTED_BY_USER, unanswered_results
from hame.agent.limits import Budget, Meter, Price
from hame.events import AssistantTurn, SubagentEvent
from hame.messages import Usage

GPT4O = Price(2.5, 10.0, 1.25)


def turn(step: int, inp: int, out: int, cached: int = 0) -> AssistantTurn:
    return AssistantTurn(step=step, text="", tool_calls=[],
                         usage={"input_tokens": inp, "output_tokens": out, "cached_tokens": cached})


def test_price_bills_cached_input_at_its_own_rate() -> None:
    assert GPT4O.cost(Usage(1_000_000, 0, 0)) == 2.5
    assert GPT4O.cost(Usage(1_000_000, 100_000, 400_000)) == 0.6 * 2.5 + 0.4 * 1.25 + 1.0


def test_meter_counts_steps_subagents_and_context_fill() -> None:
    meter = Meter(GPT4O, context_window=10_000)
    meter(turn(1, 4000, 1000))
    meter(SubagentEvent(agent=1, depth=1, event=turn(1, 2000, 0)))
    assert meter.tokens == 7000 and [s.step for s in meter.steps] == [1, 1]
    assert meter.cost == (6000 * 2.5 + 1000 * 10.0) / 1e6
    assert meter.context_fill == 0.5  # the subagent's context is its own
    assert Meter(None).cost is None and Meter(None).cost_of({"input_tokens": 5}) is None


def test_budget_stops_at_the_limit_and_never_on_an_unknown_price() -> None:
    meter = Meter(Price(1000.0, 0.0, 0.0))
    assert Budget(max_cost=0.5).exceeded(meter) is None
    meter(turn(1, 600, 0))
    assert "spent $0.6000, the budget is $0.5000 (--max-cost)" == Budget(max_cost=0.5).exceeded(meter)
    assert Budget().exceeded(meter) is None
    unknown = Meter(None)
    unknown(turn(1, 10**9, 0))
    assert Budget(max_cost=0.01).exceeded(unknown) is None


def test_interrupted_turn_gets_a_result_for_each_unanswered_call() -> None:
    calls = [{"id": i, "type": "function", "function": {"name": "run_shell", "arguments": "{}"}} for i in "ab"]
    history = [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": calls},
               {"role": "tool", "tool_call_id": "a", "content": "done"}]
    assert unanswered_results(history) == [{"role": "tool", "tool_call_id": "b", "content": INTERRUPTED_BY_USER}]
    assert unanswered_results(history[:1]) == []
    assert unanswered_results([*history, {"role": "tool", "tool_call_id": "b", "content": "ok"}]) == []
