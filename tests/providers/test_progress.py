"""The server's progress (llama.cpp's `prompt_progress` and per-token `timings`) as events, and how the headless
output and the REPL spinner show it."""

from __future__ import annotations

import io
import time
from types import SimpleNamespace

from hame.events import AssistantTurn, ModelProgress, ModelRequest
from hame.providers.base import ModelRequest as Request
from hame.providers.openai_compat import OpenAICompatible
from hame.providers.progress import ProgressReader
from hame.ui.headless import Progress
from hame.ui.status import progress_text
from hame.ui.waiting import waiting_line

from ..fakes.openai_server import FakeOpenAI, reply


def _prompt(processed: int, total: int = 6900, cache: int = 0, ms: int = 0) -> dict:
    return {"prompt_progress": {"total": total, "cache": cache, "processed": processed, "time_ms": ms}}


def test_a_streamed_reply_with_llama_cpp_progress_fields_gives_progress_events() -> None:
    seen: list[ModelProgress] = []
    item = reply("done", usage={"prompt_tokens": 6900, "completion_tokens": 1, "total_tokens": 6901})
    item["before"] = [_prompt(1024, cache=1024), _prompt(2100, cache=1024, ms=10_000)]
    with FakeOpenAI([item]) as srv:
        api = OpenAICompatible("m", base_url=srv.url, api_key=None, on_chunk=ProgressReader(seen.append))
        assert api.complete(Request(messages=[{"role": "user", "content": "hi"}])).text == "done"
    assert [(p.stage, p.done, p.total, p.cached) for p in seen] == [("prompt", 1024, 6900, 1024),
                                                                     ("prompt", 2100, 6900, 1024)]
    assert seen[1].tokens_per_s == 107.6  # 1,076 tokens read in 10 s (the cached ones cost nothing)


def test_generation_progress_is_the_servers_count_at_most_once_a_second() -> None:
    now = [0.0]
    seen: list[ModelProgress] = []
    read = ProgressReader(seen.append, every=1.0, clock=lambda: now[0])
    for n, t in ((1, 0.0), (2, 0.4), (9, 1.2)):
        now[0] = t
        read(SimpleNamespace(timings={"predicted_n": n, "predicted_per_second": 7.46, "cache_n": 0}))
    assert [(p.stage, p.done, p.tokens_per_s) for p in seen] == [("generate", 1, 7.5), ("generate", 9, 7.5)]


def test_progress_text_and_waiting_lines() -> None:
    prompt = ModelProgress(stage="prompt", done=2100, total=6900, cached=1024, tokens_per_s=41.0)
    assert progress_text(prompt) == "reading the prompt 2,100/6,900 tokens (1,024 cached, 41 tok/s)"
    writing = ModelProgress(stage="generate", done=120, tokens_per_s=8.1)
    assert progress_text(writing) == "writing 120 tokens (8.1 tok/s)"
    assert waiting_line(3, 12.4, None) == "[3] waiting for the model · 12s"
    assert waiting_line(3, 4.0, prompt).startswith("[3] reading the prompt 2,100/6,900")


def test_headless_progress_prints_a_line_every_interval_while_the_model_works() -> None:
    err = io.StringIO()
    progress = Progress(err, interval=0.2)
    progress(ModelRequest(step=1, n_messages=2, est_tokens=6900))
    time.sleep(0.3)
    progress(ModelProgress(stage="prompt", done=512, total=6900))
    time.sleep(0.5)
    progress(AssistantTurn(step=1, text="ok", tool_calls=[], usage={}))
    quiet_from = len(err.getvalue())
    time.sleep(0.5)
    lines = err.getvalue().splitlines()
    assert lines[0] == "[1] waiting for the model · 0s"
    assert any(line.startswith("[1] reading the prompt 512/6,900 tokens · ") for line in lines)
    assert len(lines) >= 2 and len(err.getvalue()) == quiet_from  # nothing once the reply is in


def test_a_fast_reply_prints_no_waiting_line() -> None:
    err = io.StringIO()
    progress = Progress(err, interval=0.3)
    progress(ModelRequest(step=1, n_messages=2, est_tokens=10))
    progress(AssistantTurn(step=1, text="ok", tool_calls=[], usage={}))
    time.sleep(0.5)
    assert err.getvalue() == ""


def test_the_spinner_shows_the_servers_progress_and_token_count() -> None:
    from rich.console import Console

    from hame.events import TextDelta
    from hame.ui.view import TaskView

    out = io.StringIO()
    view = TaskView(Console(file=out, width=200, color_system=None))
    view(ModelRequest(step=2, n_messages=3, est_tokens=6900))
    view(ModelProgress(stage="prompt", done=2100, total=6900))
    view.console.print(view)
    view(ModelProgress(stage="generate", done=42, tokens_per_s=8.0))
    view(TextDelta(text="some streamed words that an estimate would count"))
    view.console.print(view)
    view.idle()
    text = out.getvalue()
    assert "step 2 · thinking · reading the prompt 2,100/6,900 tokens" in text
    assert "writing 42 tokens (8 tok/s)" in text and "↓42 tok" in text
