"""The episode function the training adapters share: a hame task run against an endpoint by the bench's code."""

from __future__ import annotations

import json
from pathlib import Path

from hame.bench.tasks import load_taskset
from hame.envs.episode import Budgets, Endpoint, agent_config, run_episode
from tests.envs.conftest import system_prompts
from tests.envs.pair import FIXED, scripted
from tests.fakes.openai_server import FakeOpenAI


def test_agent_config_points_hame_at_the_endpoint(tmp_path: Path) -> None:
    cfg = agent_config(Endpoint("qwen", "http://127.0.0.1:9/v1", "sk-x", 8192), Budgets(max_steps=7, attempts=1),
                       tmp_path)
    assert cfg.model == "openai:qwen" and cfg.max_steps == 7 and cfg.attempts == 1
    assert cfg.agent_args == ("--base-url=http://127.0.0.1:9/v1", "--api-key=sk-x", "--context-window=8192")
    no_window = agent_config(Endpoint("qwen", "http://h/v1"), Budgets(), tmp_path)
    assert not any(a.startswith("--context-window") for a in no_window.agent_args)


def test_a_key_that_starts_with_a_dash_reaches_the_server(manifest: Path, clean_env: dict) -> None:
    alpha, _ = load_taskset(manifest)  # the verifiers interception's secrets are random and may start with "-"
    with FakeOpenAI([scripted] * 20) as server:
        won = run_episode(alpha, Endpoint("fake-model", server.url, "-Xk3", 16384), Budgets(attempts=1))
    assert won.reward == 1.0, won.result.error
    assert server.keys and set(server.keys) == {"Bearer -Xk3"}


def test_pass_and_fail_episodes_give_rewards_and_hames_trajectory(manifest: Path, clean_env: dict) -> None:
    alpha, beta = load_taskset(manifest)
    with FakeOpenAI([scripted] * 20) as server:
        endpoint = Endpoint("fake-model", server.url, "k", 16384)
        won = run_episode(alpha, endpoint, Budgets(attempts=1))
        lost = run_episode(beta, endpoint, Budgets(attempts=1))
    assert (won.reward, lost.reward) == (1.0, 0.0)
    assert won.metrics["tests_passed"] == 1.0 and lost.metrics["tests_failed"] == 1.0
    assert won.metrics["steps"] >= 2 and won.metrics["attempts"] == 1.0
    for episode in (won, lost):
        assert episode.messages[0]["role"] == "system"
        assert episode.messages[0]["content"] in system_prompts(server.requests)
    calls = [c for m in won.messages for c in m.get("tool_calls", [])]
    assert calls[0]["function"]["name"] == "write_file"
    assert json.loads(calls[0]["function"]["arguments"]) == {"path": "calc.py", "content": FIXED}
    assert any(m["role"] == "tool" for m in won.messages)
    assert won.trajectory is not None and won.trajectory.reward == 1.0
