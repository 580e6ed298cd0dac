"""The metering proxy passes a peer's model calls through unchanged and adds up what the server reports."""

from __future__ import annotations

import json
import threading
import time

import httpx

from hame.bench.meter import Meter, usage_of

from ..fakes.openai_server import FakeOpenAI, reply


def test_plain_and_streamed_replies_pass_through_and_are_counted() -> None:
    usage = {"prompt_tokens": 300, "completion_tokens": 20, "total_tokens": 320,
             "prompt_tokens_details": {"cached_tokens": 250}}
    with FakeOpenAI([reply("hello there", usage=usage), reply("streamed reply", usage=usage)]) as srv, \
            Meter(srv.url) as meter:
        assert meter.url.endswith("/v1") and meter.url != srv.url
        plain = httpx.post(f"{meter.url}/chat/completions", json={"messages": []}, timeout=10)
        assert plain.json()["choices"][0]["message"]["content"] == "hello there"
        with httpx.stream("POST", f"{meter.url}/chat/completions", json={"messages": [], "stream": True},
                          timeout=10) as r:
            events = [line for line in r.iter_lines() if line.startswith("data: ")]
        text = "".join(json.loads(e[6:])["choices"][0]["delta"].get("content") or ""
                       for e in events[:-1] if json.loads(e[6:])["choices"])
        assert text == "streamed reply" and events[-1] == "data: [DONE]"
        assert httpx.get(f"{meter.url}/models", timeout=10).status_code == 404  # passed through, not counted
    t = meter.totals
    assert (t.requests, t.input_tokens, t.cached_tokens, t.output_tokens) == (2, 600, 500, 40)
    assert srv.requests[1]["stream"] is True


def test_llama_cpp_cache_count_is_read_from_timings() -> None:
    body = json.dumps({"choices": [], "usage": {"prompt_tokens": 90, "completion_tokens": 5},
                       "timings": {"cache_n": 80, "prompt_n": 10}}).encode()
    assert usage_of(body)["cached_tokens"] == 80
    assert usage_of(b"not json") is None


def test_a_dead_server_is_a_502_and_a_call_in_flight_is_cut_when_the_meter_closes() -> None:
    with Meter("http://127.0.0.1:9/v1") as meter:  # nothing listens on port 9
        r = httpx.post(f"{meter.url}/chat/completions", json={}, timeout=10)
        assert r.status_code == 502 and "no answer from the model server" in r.text
    gate = threading.Event()
    outcome: list[object] = []

    def slow(body: dict) -> dict:
        gate.wait(10)
        return reply("late")

    def call() -> None:
        try:
            outcome.append(httpx.post(f"{meter.url}/chat/completions", json={}, timeout=10).status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    with FakeOpenAI([slow]) as srv:
        meter = Meter(srv.url).__enter__()
        caller = threading.Thread(target=call, daemon=True)
        caller.start()
        time.sleep(0.5)
        meter.__exit__(None, None, None)  # the agent was stopped: the call in flight is hung up, not waited for
        caller.join(5)
        assert outcome and outcome[0] != 200 and not gate.is_set()
        gate.set()
    for _ in range(50):  # the handler thread records the call after it is cut
        if meter.totals.requests:
            break
        time.sleep(0.1)
    assert meter.totals.requests == 1 and meter.totals.model_s >= 0.4  # the time it ran is model time
