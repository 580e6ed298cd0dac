"""hame as an Atropos environment: `python -m hame.envs.atropos_env process|serve|evaluate --env.taskset PATH
--openai.base_url URL --openai.model_name NAME ...`.

Each rollout is one `run_episode` (hame's own loop via `hame -p`, scored by the bench's check) against the first
configured server; the trajectory is the conversation hame's transcript holds, tokenized with the env's
tokenizer for the trainer, assistant turns unmasked. Needs `pip install 'hame[atropos]'`; nothing else in hame
imports this module.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from atroposlib.envs.base import APIServerConfig, BaseEnv, BaseEnvConfig, ScoredDataItem
from pydantic import Field

from ..bench.tasks import Task, load_taskset
from .episode import Budgets, Endpoint, Episode, run_episode


class HameEnvConfig(BaseEnvConfig):
    taskset: str = Field(default="", description="a hame task set: a directory of tasks or a JSONL manifest")
    max_steps: int = Field(default=40, description="model calls per attempt (hame -p --max-steps)")
    attempts: int = Field(default=2, description="attempts per rollout; a retry sees the failing check's output")
    attempt_timeout: float = Field(default=600.0, description="wall-clock seconds per attempt")
    context_window: int | None = Field(default=None, description="hame --context-window (default: ask the server)")


class HameEnv(BaseEnv):
    name = "hame"
    env_config_cls = HameEnvConfig  # type: ignore[assignment]

    @classmethod
    def config_init(cls) -> tuple[HameEnvConfig, list[APIServerConfig]]:
        return HameEnvConfig(group_size=4, use_wandb=False), [APIServerConfig(health_check=False)]

    async def setup(self) -> None:
        if not self.config.taskset:
            raise ValueError("no task set: pass --env.taskset DIR_OR_JSONL")
        self.tasks: list[Task] = load_taskset(Path(self.config.taskset))
        self.next_index = 0

    async def get_next_item(self) -> Task:
        task = self.tasks[self.next_index % len(self.tasks)]
        self.next_index += 1
        return task

    async def collect_trajectory(self, item: Task) -> tuple[ScoredDataItem | None, list[Any]]:
        episode = await self.episode(item)
        if not episode.messages:
            return None, []
        tools = [t.model_dump() for t in episode.trajectory.tools] if episode.trajectory else None
        tokens, masks = tokens_and_masks(self.tokenizer, episode.messages, tools)
        scored: dict[str, Any] = {"tokens": tokens, "masks": masks,
                                  "scores": episode.reward, "messages": episode.messages,
                                  "overrides": {"task": item.name, **episode.metrics,
                                                "stop_reason": episode.result.stop_reason}}
        return scored, []  # type: ignore[return-value]

    async def evaluate(self, *args: Any, **kwargs: Any) -> None:
        start = time.time()
        episodes = await asyncio.gather(*(self.episode(t) for t in self.tasks))
        solved = sum(e.result.passed for e in episodes)
        await self.evaluate_log({"eval/solved": solved, "eval/solve_rate": solved / max(1, len(episodes))},
                                model_name=self.endpoint().model, start_time=start, end_time=time.time(),
                                samples=[{"task": e.result.task, "reward": e.reward,
                                          "stop_reason": e.result.stop_reason} for e in episodes])

    async def episode(self, task: Task) -> Episode:
        budgets = Budgets(self.config.max_steps, self.config.attempts, self.config.attempt_timeout)
        return await asyncio.to_thread(run_episode, task, self.endpoint(), budgets)

    def endpoint(self) -> Endpoint:
        server = self.server.servers[0].config
        return Endpoint(server.model_name, server.base_url, server.api_key or "none", self.config.context_window)


def tokens_and_masks(tokenizer: Any, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None
                     ) -> tuple[list[int], list[int]]:
    """The conversation's tokens, and the masks a trainer learns from: each assistant turn's own tokens, -100
    elsewhere (what atroposlib's `tokenize_for_trainer` does, asking for plain token lists on any transformers)."""
    def ids(part: list[dict[str, Any]], prompt: bool = False) -> list[int]:
        return list(tokenizer.apply_chat_template(part, tools=tools, tokenize=True, add_generation_prompt=prompt,
                                                  return_dict=False))

    tokens = ids(messages)
    masks = [-100] * len(tokens)
    for i, message in enumerate(messages):
        if message.get("role") == "assistant":
            start, end = len(ids(messages[:i], prompt=True)), len(ids(messages[: i + 1]))
            masks[start:end] = tokens[start:end]
    return tokens, masks


if __name__ == "__main__":
    HameEnv.cli()
