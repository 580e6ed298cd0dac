"""The Atropos environment through Atropos's own `process` command against a scripted streaming
OpenAI-compatible server: scores [1] and [0] for the pass/fail pair, hame's messages in each group, and masks that
leave only the assistant's tokens to learn from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.envs.conftest import system_prompts
from tests.envs.pair import scripted
from tests.envs.tokenizer import save_tokenizer
from tests.fakes.openai_server import FakeOpenAI

pytest.importorskip("atroposlib", reason="needs the atropos extra: pip install 'hame[atropos]'")


def process(manifest: Path, url: str, tokenizer: Path, out: Path, env: dict[str, str]
            ) -> subprocess.CompletedProcess:
    args = ["process", "--env.taskset", str(manifest), "--env.group_size", "1", "--env.total_steps", "2",
            "--env.attempts", "1", "--env.context_window", "16384", "--env.use_wandb", "false",
            "--env.tokenizer_name", str(tokenizer), "--env.data_path_to_save_groups", str(out),
            "--openai.base_url", url, "--openai.model_name", "fake-model", "--openai.api_key", "k"]
    return subprocess.run([sys.executable, "-m", "hame.envs.atropos_env", *args], cwd=out.parent,
                          env={**env, "WANDB_MODE": "disabled", "HF_HUB_OFFLINE": "1"},
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


def test_process_scores_the_pair_with_hames_messages(manifest: Path, clean_env: dict, tmp_path: Path) -> None:
    out = tmp_path / "groups.jsonl"
    with FakeOpenAI([scripted] * 40) as server:
        done = process(manifest, server.url, save_tokenizer(tmp_path / "tokenizer"), out, clean_env)
    assert done.returncode == 0, done.stderr[-3000:]
    groups = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["scores"] for g in groups] == [[1.0], [0.0]]
    for group in groups:
        messages = group["messages"][0]
        assert messages[0]["role"] == "system" and messages[0]["content"] in system_prompts(server.requests)
        tokens, masks = group["tokens"][0], group["masks"][0]
        assert len(tokens) == len(masks) and masks[0] == -100
        assert [t for t, m in zip(tokens, masks, strict=True) if m != -100], "no assistant tokens to learn from"
    alpha = groups[0]["messages"][0]
    assert [c["function"]["name"] for m in alpha for c in m.get("tool_calls") or []] == ["write_file"]
    assert any(m["role"] == "tool" for m in alpha)
    assert groups[0]["overrides"][0]["task"] == "alpha" and groups[0]["overrides"][0]["stop_reason"] == "completed"


def test_masks_cover_exactly_the_assistant_turns(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from hame.envs.atropos_env import tokens_and_masks

    tokenizer = AutoTokenizer.from_pretrained(str(save_tokenizer(tmp_path / "tokenizer")))
    messages = [{"role": "system", "content": "sys"}, {"role": "user", "content": "fix it"},
                {"role": "assistant", "content": "done"}]
    tokens, masks = tokens_and_masks(tokenizer, messages, None)
    kept = [t for t, m in zip(tokens, masks, strict=True) if m != -100]
    assert tokenizer.decode(kept).split() == ["[UNK]", "<|end|>"]  # "done" and the turn's end; the rest masked
