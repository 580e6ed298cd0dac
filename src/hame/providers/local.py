"""The embedded local model: llama.cpp's server run in-process by xllamacpp on 127.0.0.1.

`LocalServer.start` loads a GGUF file and serves the OpenAI-compatible API at `base_url`; hame then talks to
it like any other server. The server has `parallel` slots, each with its own `ctx_size`-token KV cache, so a
side request sent with `id_slot` (summaries, subagents) never evicts the main conversation's cached prefix.
With a `slot_dir`, a slot's KV cache can be saved to disk and restored by a later run (`save_slot`,
`restore_slot`), keyed by `slot_filename(model, prefix)`. llama.cpp's own logging is turned off so that
hame's headless output on stdout stays clean.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..errors import Fatal
from ..switches import env_count, env_switch

DRAFT_MAX = 8  # tokens a draft model proposes at a time
MAX_THREADS = 8  # token generation is memory-bound; more threads rarely help and often hurt
HEALTH_TIMEOUT_S = 120.0


class LocalServerError(Fatal):
    """The embedded llama.cpp server could not start or answer."""


@dataclass(frozen=True)
class SlotFile:
    filename: str
    tokens: int
    size_bytes: int
    ms: float


def usable_cpus() -> int:
    """CPUs this process may run on: its affinity mask, capped by a cgroup CPU quota when there is one."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cpus = min(cpus, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return max(1, cpus)


def default_threads() -> int:
    """Generation threads: `HAME_THREADS` when set, else every usable CPU but one, so the agent, its tools and the
    OS keep a core: llama.cpp's threads spin at a barrier waiting for a preempted one, so a busy core slows every
    thread (measurements: docs/local-model.md). `HAME_THREADS=2` on 2 CPUs is for a machine that does nothing else.
    Prompt processing keeps all CPUs (see `default_batch_threads`), since the agent is idle while the prompt is read.
    """
    return env_count("HAME_THREADS") or max(1, min(usable_cpus() - 1, MAX_THREADS))


def default_batch_threads() -> int:
    return min(usable_cpus(), 2 * MAX_THREADS)


def slot_filename(model_path: Path, prefix: str) -> str:
    """A KV-cache file name for a stable prompt prefix: the same model file and prefix give the same name."""
    model = re.sub(r"[^A-Za-z0-9._-]", "_", model_path.stem)[:80]
    digest = hashlib.sha256(prefix.encode()).hexdigest()[:16]
    return f"{model}-{digest}.kv"


@dataclass
class LocalServer:
    base_url: str  # "http://127.0.0.1:PORT/v1", for the OpenAI SDK
    model_path: Path
    ctx_size: int  # tokens per slot
    parallel: int
    threads: int
    slot_dir: Path | None
    load_s: float
    _server: Any = field(repr=False)
    _http: httpx.Client = field(repr=False)

    @classmethod
    def start(cls, model_path: Path, *, ctx_size: int, threads: int | None = None, parallel: int = 2,
              log: Callable[[str], None] | None = None, slot_dir: Path | None = None, port: int = 0,
              speculative: str = "", draft_model: Path | None = None, draft_max: int = DRAFT_MAX) -> LocalServer:
        """Load the model and serve it on an ephemeral port; blocks until the server answers /health.
        `speculative="ngram"`: draft tokens from n-grams already in the context (llama.cpp's `ngram-simple`), which
        costs nothing when a reply does not repeat its context and speeds up one that does (a rewritten file).
        `draft_model`: a smaller model with the same vocabulary (a smaller size of the same family) drafts up to
        `draft_max` tokens that the model checks in one batch (llama.cpp's draft speculation)."""
        xllamacpp = _import_xllamacpp()
        threads = threads or default_threads()
        if slot_dir is not None:
            slot_dir.mkdir(parents=True, exist_ok=True)
        params = _params(xllamacpp, model_path, ctx_size, threads, parallel, slot_dir)
        params.port = port
        if speculative == "ngram":
            params.speculative.types = [xllamacpp.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
        elif speculative:
            raise LocalServerError(f"unknown speculative decoding {speculative!r}; use 'ngram'")
        if draft_model is not None:
            if not Path(draft_model).is_file():
                raise LocalServerError(f"draft model {draft_model} does not exist")
            _draft(xllamacpp, params, Path(draft_model), threads, draft_max)
        t0 = time.monotonic()
        try:
            server = xllamacpp.Server(params)
        except RuntimeError as exc:
            raise LocalServerError(f"llama.cpp could not load {model_path} ({exc}); check that it is a GGUF model "
                                   f"and that {ctx_size * parallel} tokens of KV cache fit in memory") from None
        root = server.listening_address.rstrip("/")
        http = httpx.Client(base_url=root, timeout=HEALTH_TIMEOUT_S)
        self = cls(f"{root}/v1", model_path, ctx_size, parallel, threads, slot_dir, 0.0, server, http)
        self._wait_healthy()
        self.load_s = time.monotonic() - t0
        if log:
            log(f"local model {model_path.name} ready at {root} in {self.load_s:.1f}s "
                f"({threads} threads, {parallel} slots x {ctx_size} tokens)")
        return self

    def stop(self) -> None:
        """Free the model and close the port. Safe to call twice."""
        self._http.close()
        self._server = None  # xllamacpp stops the server and frees the model when the object is freed

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        return self.base_url.removesuffix("/v1")

    def save_slot(self, slot: int, filename: str) -> SlotFile:
        """Write slot `slot`'s KV cache (its tokens so far) to `slot_dir/filename`."""
        data = self._slot_action(slot, "save", filename)
        return SlotFile(filename, data["n_saved"], data["n_written"], data["timings"]["save_ms"])

    def restore_slot(self, slot: int, filename: str) -> SlotFile | None:
        """Load a saved KV cache into slot `slot`; None when no such file was saved."""
        if self.slot_dir is None or not (self.slot_dir / filename).is_file():
            return None
        data = self._slot_action(slot, "restore", filename)
        return SlotFile(filename, data["n_restored"], data["n_read"], data["timings"]["restore_ms"])

    def erase_slot(self, slot: int) -> None:
        self._slot_action(slot, "erase", None)

    def _slot_action(self, slot: int, action: str, filename: str | None) -> dict[str, Any]:
        if action != "erase" and self.slot_dir is None:
            raise LocalServerError("slot save/restore needs LocalServer.start(..., slot_dir=PATH)")
        if not 0 <= slot < self.parallel:
            raise ValueError(f"slot {slot} does not exist; this server has slots 0..{self.parallel - 1}")
        body = {"filename": filename} if filename else None
        r = self._http.post(f"/slots/{slot}", params={"action": action}, json=body)
        if r.status_code != 200:
            raise LocalServerError(f"slot {action} failed for slot {slot}: HTTP {r.status_code} {r.text[:300]}")
        return r.json()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                if self._http.get("/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise LocalServerError(f"the local model server at {self.root_url} did not become healthy "
                               f"in {HEALTH_TIMEOUT_S:.0f}s")


def _import_xllamacpp() -> Any:
    try:
        import xllamacpp
    except ImportError:
        raise LocalServerError("the embedded local model needs xllamacpp: pip install 'hame[local]'") from None
    return xllamacpp


def _params(xllamacpp: Any, model_path: Path, ctx_size: int, threads: int, parallel: int,
            slot_dir: Path | None) -> Any:
    p = xllamacpp.CommonParams()
    p.model.path = str(model_path)
    p.model_alias = {model_path.stem}
    p.n_parallel = parallel
    p.n_ctx = ctx_size * parallel  # llama.cpp splits n_ctx evenly across the slots
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = max(threads, default_batch_threads())
    p.n_batch = p.n_ubatch  # prompt progress is reported per batch; one micro-batch each computes the same
    p.flash_attn_type = _flash_attn(xllamacpp)
    p.hostnames = ["127.0.0.1"]
    p.port = 0  # ephemeral
    p.endpoint_slots = True
    p.endpoint_props = True
    p.verbosity = -1  # llama.cpp logs to stderr otherwise; errors surface as LocalServerError instead
    if slot_dir is not None:
        p.slot_save_path = str(slot_dir.resolve()) + os.sep  # llama.cpp joins path + filename without a separator
    return p


def _flash_attn(xllamacpp: Any) -> Any:
    """Flash attention off when llama.cpp has only the CPU (there it decodes a long context faster without, for a
    little slower prompt reading: docs/local-model.md), unless `HAME_FLASH_ATTN` says otherwise. With a GPU,
    llama.cpp decides."""
    kinds = xllamacpp.llama_flash_attn_type
    switch = env_switch("HAME_FLASH_ATTN")
    if switch is not None:
        return kinds.LLAMA_FLASH_ATTN_TYPE_ENABLED if switch else kinds.LLAMA_FLASH_ATTN_TYPE_DISABLED
    cpu = xllamacpp.ggml_backend_dev_type.GGML_BACKEND_DEVICE_TYPE_CPU
    if all(device.get("type") == cpu for device in xllamacpp.get_device_info()):
        return kinds.LLAMA_FLASH_ATTN_TYPE_DISABLED
    return kinds.LLAMA_FLASH_ATTN_TYPE_AUTO


def _draft(xllamacpp: Any, p: Any, draft_model: Path, threads: int, draft_max: int) -> None:
    spec = p.speculative
    kinds = xllamacpp.common_speculative_type
    spec.types = [*(t for t in spec.types if t != kinds.COMMON_SPECULATIVE_TYPE_NONE),
                  kinds.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE]
    spec.draft.mparams.path = str(draft_model)
    spec.draft.n_max = draft_max
    spec.draft.p_min = 0.5  # stop drafting where the draft model is unsure: a rejected token costs a wasted batch row
    spec.draft.cpuparams.n_threads = threads
    spec.draft.cpuparams_batch.n_threads = max(threads, default_batch_threads())
