"""The embedded llama.cpp server with the real 0.5B model (about 20 s; skipped when the model is not installed)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from hame.errors import UsageError
from hame.providers.local import LocalServer, default_threads, slot_filename, usable_cpus
from hame.providers.model_store import DEFAULT_LOCAL, ModelNotInstalled, ensure_model

pytest.importorskip("xllamacpp")

SYSTEM = {"role": "system", "content": "You are a terse coding assistant. " + "Answer in one line. " * 30}


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("models")
    try:
        path = ensure_model(DEFAULT_LOCAL, cache)
    except ModelNotInstalled as exc:
        pytest.skip(str(exc))
    yield path
    path.unlink()  # 491 MB; pytest keeps old temp dirs around


@pytest.fixture(scope="module")
def server(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with LocalServer.start(model_path, ctx_size=2048, parallel=2, slot_dir=tmp_path_factory.mktemp("slots")) as srv:
        yield srv


def chat(srv: LocalServer, messages: list[dict], slot: int, max_tokens: int = 12, **kw: object) -> dict:
    """What hame's OpenAI provider sends: llama.cpp's own fields ride in `extra_body`."""
    client = openai.OpenAI(base_url=srv.base_url, api_key="none", max_retries=0)
    r = client.chat.completions.create(model=DEFAULT_LOCAL, messages=messages, temperature=0, max_tokens=max_tokens,
                                       extra_body={"id_slot": slot, "cache_prompt": True}, **kw)
    return r.model_dump()


def cached(reply: dict) -> int:
    return reply["usage"]["prompt_tokens_details"]["cached_tokens"]


def test_chat_completion_and_prefix_cache(server: LocalServer) -> None:
    messages = [SYSTEM, {"role": "user", "content": "Name a sorting algorithm."}]
    first = chat(server, messages, slot=0)
    assert first["choices"][0]["message"]["content"].strip()
    assert first["timings"]["prompt_n"] + first["timings"]["cache_n"] == first["usage"]["prompt_tokens"]
    chat(server, [{"role": "user", "content": "Summarize: the build passed."}], slot=1)  # a side request
    again = chat(server, messages, slot=0)
    assert cached(again) == again["usage"]["prompt_tokens"] - 1  # the side slot did not evict slot 0


def test_json_schema_response_format(server: LocalServer) -> None:
    schema = {"type": "object", "required": ["language"],
              "properties": {"language": {"type": "string", "maxLength": 20}}}
    reply = chat(server, [{"role": "user", "content": "Which language is `fn main() {}`?"}], slot=1, max_tokens=60,
                 response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}})
    assert isinstance(json.loads(reply["choices"][0]["message"]["content"])["language"], str)


def test_slot_save_and_restore(server: LocalServer) -> None:
    messages = [SYSTEM, {"role": "user", "content": "What does git stash do?"}]
    chat(server, messages, slot=0)
    name = slot_filename(server.model_path, json.dumps(messages))
    saved = server.save_slot(0, name)
    assert saved.tokens > 100 and (server.slot_dir / name).stat().st_size == saved.size_bytes
    server.erase_slot(1)
    restored = server.restore_slot(1, name)
    assert restored is not None and restored.tokens == saved.tokens
    assert cached(chat(server, messages, slot=1)) >= 100
    assert server.restore_slot(1, "never-saved.kv") is None


def test_default_threads_leave_a_core_free(monkeypatch) -> None:
    monkeypatch.delenv("HAME_THREADS", raising=False)
    assert default_threads() == max(1, min(usable_cpus() - 1, 8))


def test_hame_threads_sets_the_generation_threads(monkeypatch) -> None:
    from hame.errors import UsageError

    monkeypatch.setenv("HAME_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.setenv("HAME_THREADS", "0")  # 0: the default
    assert default_threads() == max(1, min(usable_cpus() - 1, 8))
    monkeypatch.setenv("HAME_THREADS", "two")
    with pytest.raises(UsageError, match="HAME_THREADS"):
        default_threads()


def test_quiet_on_stdout_and_stderr_and_stop_closes_the_port(model_path: Path) -> None:
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        import httpx
        from hame.providers.local import LocalServer
        with LocalServer.start(Path({str(model_path)!r}), ctx_size=512, parallel=1) as srv:
            httpx.post(srv.base_url + "/chat/completions", timeout=60,
                       json={{"messages": [{{"role": "user", "content": "hi"}}], "max_tokens": 2}}).raise_for_status()
        try:
            httpx.get(srv.root_url + "/health", timeout=2)
            sys.exit(3)  # still listening after stop()
        except httpx.TransportError:
            pass
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


def test_ngram_speculation_writes_what_plain_decoding_writes(server: LocalServer, model_path: Path) -> None:
    code = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    messages = [{"role": "user", "content": f"Repeat this code exactly, in a code block:\n{code}"}]
    plain = chat(server, messages, slot=0, max_tokens=40)
    with LocalServer.start(model_path, ctx_size=1024, parallel=1, speculative="ngram") as fast_server:
        fast = chat(fast_server, messages, slot=0, max_tokens=40)
    assert fast["choices"][0]["message"]["content"] == plain["choices"][0]["message"]["content"]
    assert fast["timings"]["draft_n"] > 0 and "draft_n" not in plain["timings"]  # drafts made, and only there


def test_an_unknown_speculative_mode_is_refused() -> None:
    from hame.providers.local import LocalServerError

    with pytest.raises(LocalServerError, match="use 'ngram'"):
        LocalServer.start(Path("missing.gguf"), ctx_size=512, speculative="eagle")


def test_a_draft_model_drafts_and_the_reply_is_unchanged(server: LocalServer, model_path: Path) -> None:
    # the model drafting for itself: same vocabulary, and at temperature 0 it agrees with almost every draft
    messages = [{"role": "user", "content": "Write a Python function that reverses a string, in a code block."}]
    plain = chat(server, messages, slot=0, max_tokens=40)
    with LocalServer.start(model_path, ctx_size=1024, parallel=1, draft_model=model_path, draft_max=4) as fast:
        drafted = chat(fast, messages, slot=0, max_tokens=40)
    assert drafted["choices"][0]["message"]["content"] == plain["choices"][0]["message"]["content"]
    timings = drafted["timings"]
    assert timings["draft_n"] > 0 and timings["draft_n_accepted"] > timings["draft_n"] // 2


def test_a_missing_draft_model_is_refused(model_path: Path, tmp_path: Path) -> None:
    from hame.providers.local import LocalServerError

    with pytest.raises(LocalServerError, match="draft model .*missing.gguf does not exist"):
        LocalServer.start(model_path, ctx_size=512, draft_model=tmp_path / "missing.gguf")


def test_a_file_block_grammar_holds_the_reply_to_one_whole_file(server: LocalServer) -> None:
    from hame.providers.base import ModelRequest
    from hame.providers.openai_compat import OpenAICompatible
    from hame.tools.fileblocks import file_block_grammar, file_blocks

    provider = OpenAICompatible(DEFAULT_LOCAL, base_url=server.base_url, api_key=None,
                                extra_body={"cache_prompt": True})
    ask = "First explain in two sentences what a greeting is. Then write a Python function greet(name)."
    request = ModelRequest([{"role": "user", "content": ask}], max_tokens=150, temperature=0,
                           grammar=file_block_grammar(["greet.py"]))
    response = provider.complete(request)
    assert response.text.startswith("greet.py\n```")  # no prose first, though it was asked for
    if response.finish_reason == "stop":
        blocks, problem = file_blocks(response.text)
        assert problem is None and [b.path for b in blocks] == ["greet.py"]
        assert response.text.rstrip().endswith("```")  # and nothing after the block


def test_flash_attention_is_off_on_a_cpu_only_build_unless_switched(model_path: Path, monkeypatch) -> None:
    """On this machine's CPU it slowed decoding at a 2.7k-token context by 1.2x (1.5B) to 1.6x (0.5B)."""
    import xllamacpp

    from hame.providers.local import _params

    kinds = xllamacpp.llama_flash_attn_type
    assert all(d["type"] == xllamacpp.ggml_backend_dev_type.GGML_BACKEND_DEVICE_TYPE_CPU
               for d in xllamacpp.get_device_info())  # the premise: no GPU here
    for switch, expected in (("", kinds.LLAMA_FLASH_ATTN_TYPE_DISABLED), ("on", kinds.LLAMA_FLASH_ATTN_TYPE_ENABLED),
                             ("off", kinds.LLAMA_FLASH_ATTN_TYPE_DISABLED)):
        monkeypatch.setenv("HAME_FLASH_ATTN", switch)
        assert _params(xllamacpp, model_path, 2048, 1, 2, None).flash_attn_type == expected
    monkeypatch.setenv("HAME_FLASH_ATTN", "sometimes")
    with pytest.raises(UsageError, match="HAME_FLASH_ATTN='sometimes': use on or off"):
        _params(xllamacpp, model_path, 2048, 1, 2, None)


def test_fill_in_the_middle_with_the_models_own_tokens_and_an_early_stop(server: LocalServer) -> None:
    from hame.providers.base import InfillRequest
    from hame.providers.local_provider import LocalModel

    model = LocalModel(server, DEFAULT_LOCAL, lambda _msg: None, 2048)  # not closed: the fixture stops the server
    request = InfillRequest("def add(a, b):\n    return ", "\n\n\nassert add(1, 2) == 3\n",
                            (("tests/test_add.py", "from calc import add\n"),), max_tokens=24)
    got = model.infill(request)
    assert got.text.startswith("a + b") and got.prompt_tokens > 0 and got.output_tokens > 0
    again = model.infill(request)
    assert again.text == got.text and again.cached_tokens > 0  # greedy repeats; the prompt came from the cache
    first_line = model.infill(InfillRequest("def add(a, b):\n", "\n", max_tokens=64, enough=lambda t: "\n" in t))
    assert first_line.cut and first_line.output_tokens < 64 and "\n" in first_line.text
