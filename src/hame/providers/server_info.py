"""What an OpenAI-compatible server says about its context window, asked once at start with a short timeout:
llama.cpp's `GET /props` (`default_generation_settings.n_ctx`: the tokens of one slot), then `GET /v1/models`
(llama.cpp's `meta.n_ctx_train`, vLLM's `max_model_len`). Any failure means "unknown" (None)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

TIMEOUT = 2.0


def probe_context_window(base_url: str, model: str = "", api_key: str | None = None,
                         timeout: float = TIMEOUT) -> int | None:
    base = base_url.rstrip("/")
    root = base[: -len("/v1")] if base.endswith("/v1") else base
    headers = {"Accept": "application/json", **({"Authorization": f"Bearer {api_key}"} if api_key else {})}
    return (_from_props(_get(f"{root}/props", headers, timeout))
            or _from_models(_get(f"{base}/models", headers, timeout), model))


def _get(url: str, headers: dict[str, str], timeout: float) -> Any:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
            return json.loads(response.read(1_000_000))
    except (OSError, ValueError):
        return None


def _from_props(data: Any) -> int | None:
    if not isinstance(data, dict):
        return None
    settings = data.get("default_generation_settings")
    n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else None
    return _positive(n_ctx if n_ctx is not None else data.get("n_ctx"))


def _from_models(data: Any, model: str) -> int | None:
    """The entry named `model` (else the first one) of a model list."""
    models = data.get("data") if isinstance(data, dict) else None
    entries = [m for m in models if isinstance(m, dict)] if isinstance(models, list) else []
    if not entries:
        return None
    entry = next((m for m in entries if m.get("id") == model), entries[0])
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    return _positive(meta.get("n_ctx_train")) or _positive(entry.get("max_model_len"))


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
