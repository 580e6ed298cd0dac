"""The context window an OpenAI-compatible server reports, asked once at start (a real server on 127.0.0.1)."""

from __future__ import annotations

import socket

from hame.providers import open_openai
from hame.providers.server_info import probe_context_window

from ..fakes.openai_server import FakeOpenAI

PROPS = {"default_generation_settings": {"n_ctx": 4096, "n_predict": -1}, "total_slots": 2}
MODELS = {"object": "list", "data": [{"id": "other", "meta": {"n_ctx_train": 8192}},
                                     {"id": "qwen", "meta": {"n_ctx_train": 32768}}]}


def test_llama_cpp_props_give_the_tokens_of_one_slot() -> None:
    with FakeOpenAI([], pages={"/props": PROPS, "/v1/models": MODELS}) as srv:
        assert probe_context_window(srv.url, "qwen") == 4096
        provider = open_openai("qwen", srv.url, "k", lambda _t: None)
    assert provider.context_window == 4096


def test_without_props_the_model_list_is_asked() -> None:
    vllm = {"data": [{"id": "m", "max_model_len": 16384}]}
    with FakeOpenAI([], pages={"/v1/models": MODELS}) as srv:
        assert probe_context_window(srv.url, "qwen") == 32768
        assert probe_context_window(srv.url, "unknown") == 8192  # the first entry
    with FakeOpenAI([], pages={"/v1/models": vllm}) as srv:
        assert probe_context_window(srv.url, "m") == 16384


def test_a_server_that_says_nothing_or_is_down_means_unknown() -> None:
    with FakeOpenAI([], pages={"/props": {"n_ctx": "big"}, "/v1/models": {"data": []}}) as srv:
        assert probe_context_window(srv.url) is None
        assert open_openai("m", srv.url, "k", lambda _t: None).context_window is None
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    assert probe_context_window(f"http://127.0.0.1:{port}/v1", timeout=0.5) is None
