"""`--model local[:NAME|:PATH]`: the embedded llama.cpp server, assembled and verified from installed packages,
started on 127.0.0.1, spoken to through the same OpenAI-compatible provider as any server, stopped at the end.

Main requests use slot 0 and side requests (summaries, subagents) slot 1, so they never evict the main
conversation's KV cache. The KV cache of the stable prefix is saved after a run's first request and restored
at the next cold start (keyed by model + prefix hash), so a new run does not re-process the whole prefix;
`HAME_PROMPT_CACHE=off` turns that off (the bench does, so no task starts with a cache an earlier run left)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import httpx

from ..errors import HameError, ProviderError
from ..events import ModelProgress
from ..messages import ModelResponse
from ..session.transcript import cache_dir
from ..switches import env_switch
from .base import InfillReply, InfillRequest, ModelRequest, TextCallback
from .local import LocalServer
from .model_store import MODELS, best_installed, ensure_model
from .openai_compat import OpenAICompatible
from .progress import PROGRESS_FIELDS, ProgressReader

MAIN_SLOT, SIDE_SLOT = 0, 1


class LocalModel:
    can_infill = True  # llama.cpp's /infill; False after it failed (a model without fill-in-the-middle tokens)

    def __init__(self, server: LocalServer, name: str, notice: Callable[[str], None], context_window: int,
                 progress: Callable[[ModelProgress], None] | None = None) -> None:
        self.server = server
        self.name = f"local:{name}"
        self.context_window = context_window
        self.notice = notice
        extra = {"cache_prompt": True, **(PROGRESS_FIELDS if progress else {})}
        self.api = OpenAICompatible(name, base_url=server.base_url, api_key=None, context_window=context_window,
                                    extra_body=extra, notice=notice, retry_delays=(0.5, 1.0),
                                    on_chunk=ProgressReader(progress) if progress else None)
        self.prefix_file: str | None = None

    def complete(self, request: ModelRequest, on_text: TextCallback | None = None) -> ModelResponse:
        if request.slot is None:
            request.slot = MAIN_SLOT
        first = self.prefix_file is None and request.slot == MAIN_SLOT
        if first:
            self.prefix_file = self._prefix_key(request)
            self._restore()
        response = self.api.complete(request, on_text)
        if first:
            self._save()
        return response

    def infill(self, request: InfillRequest) -> InfillReply:
        """Fill the gap between `prefix` and `suffix` with llama.cpp's `/infill`, which formats the model's own
        fill-in-the-middle tokens (repository-level with the extra files, for Qwen2.5-Coder), on the side slot;
        streamed, and closed as soon as `request.enough` says the rest is not needed (the server then stops)."""
        body = {"input_prefix": request.prefix, "input_suffix": request.suffix,
                "input_extra": [{"filename": p, "text": t} for p, t in request.extra],
                "n_predict": request.max_tokens, "temperature": request.temperature, "seed": request.seed,
                "stop": ["```", "<|"], "id_slot": SIDE_SLOT, "cache_prompt": True, "stream": True}
        text, last, stopped = "", {}, False
        try:
            url = self.server.base_url.removesuffix("/v1") + "/infill"
            with httpx.stream("POST", url, json=body, timeout=300) as r:
                r.raise_for_status()
                for line in r.iter_lines():
                    if not line.startswith("data: "):
                        continue
                    last = json.loads(line[6:])
                    text += str(last.get("content", ""))
                    if request.enough and request.enough(text):
                        stopped = True
                        break
        except (httpx.HTTPError, ValueError) as exc:
            self.can_infill = False
            raise ProviderError(f"the local model cannot fill in the middle: {exc}") from exc
        timings = last.get("timings") or {}
        cut = stopped or last.get("stop_type") == "limit"
        return InfillReply(text, cut, int(timings.get("prompt_n", 0)) + int(timings.get("cache_n", 0)),
                           int(timings.get("cache_n", 0)), int(last.get("tokens_predicted", 0)))

    def _prefix_key(self, request: ModelRequest) -> str:
        head = json.dumps([request.messages[:1], request.tools], sort_keys=True)
        digest = hashlib.sha256(f"{self.server.model_path.name}\0{head}".encode()).hexdigest()[:24]
        return f"prefix-{digest}.bin"

    def _restore(self) -> None:
        try:
            got = self.server.restore_slot(MAIN_SLOT, self.prefix_file or "")
        except (HameError, ValueError, OSError) as exc:
            self.notice(f"could not restore the saved prompt cache ({exc}); processing the prefix again")
            return
        if got:
            self.notice(f"restored {got.tokens} cached prompt tokens from the last run")

    def _save(self) -> None:
        try:
            if self.server.slot_dir and not (self.server.slot_dir / (self.prefix_file or "")).exists():
                self.server.save_slot(MAIN_SLOT, self.prefix_file or "")
        except (HameError, ValueError, OSError) as exc:
            self.notice(f"could not save the prompt cache ({exc})")

    def close(self) -> None:
        try:
            self.api.close()
        finally:
            self.server.stop()


def open_local(name: str, notice: Callable[[str], None], context_window: int, threads: int | None = None,
               progress: Callable[[ModelProgress], None] | None = None) -> LocalModel:
    """Assemble (once) and start the embedded model; clear errors say how to install what is missing. `progress`
    gets the server's progress while it reads a prompt and writes a reply."""
    name = name or best_installed()
    cache = cache_dir() / "models"
    notice(f"loading local model {name} ...")
    path = ensure_model(name, cache, _progress(notice))
    spec = MODELS.get(name)
    window = min(context_window, spec.ctx) if spec else context_window
    server = LocalServer.start(path, ctx_size=window, threads=threads, parallel=2, log=notice,
                               slot_dir=saved_prompts_dir())
    return LocalModel(server, Path(name).stem if not spec else name, notice, window, progress)


def saved_prompts_dir() -> Path | None:
    """Where prompt caches are saved between runs, or None when `HAME_PROMPT_CACHE` is off."""
    return None if env_switch("HAME_PROMPT_CACHE") is False else cache_dir() / "kv-cache"


def _progress(notice: Callable[[str], None]) -> Callable[[str, int, int], None]:
    shown: set[tuple[str, int]] = set()

    def report(stage: str, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if (stage, tenth) not in shown:
            shown.add((stage, tenth))
            notice(f"{'assembling' if stage == 'assemble' else 'verifying'} model: {tenth * 10}%")

    return report
