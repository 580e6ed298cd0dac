"""Print how much speculative decoding speeds up the embedded model on the two kinds of reply a small model
writes in hame: a first version of a file (new code) and a repair (the same file written again with a small
change, which repeats most of its context).

    python bench/speculative.py [--model qwen2.5-coder-1.5b] [--threads 1] [--tokens 400] [--draft qwen2.5-coder-0.5b]

Modes: `ngram` (llama.cpp's `ngram-simple`: drafts from n-grams already in the context) and, with `--draft`,
a smaller model of the same family drafting tokens that the model checks in one batch. For each kind of reply:
generated tokens, tokens/s without and with each mode, and the speed-up. Temperature 0, so every server should
write the same reply; the script says so when they differ.
"""

from __future__ import annotations

import argparse
import time

import httpx

from hame.providers.local import DRAFT_MAX, LocalServer
from hame.providers.model_store import ensure_model
from hame.session.transcript import cache_dir

FILE = '''def find(search_list, value):
    low, high = 0, len(search_list) - 1
    while low <= high:
        middle = (low + high) // 2
        if search_list[middle] == value:
            return middle
        if search_list[middle] < value:
            low = middle + 1
        else:
            high = middle - 1
    raise ValueError("value not found in array")


def find_all(search_list, values):
    """The index of each value, in order."""
    return [find(search_list, value) for value in values]


def insert_sorted(search_list, value):
    """A new list with value inserted where it keeps the list sorted."""
    low, high = 0, len(search_list)
    while low < high:
        middle = (low + high) // 2
        if search_list[middle] < value:
            low = middle + 1
        else:
            high = middle
    return search_list[:low] + [value] + search_list[low:]
'''
PROMPTS = {
    "new file": "Write binary_search.py: find(search_list, value) returns the index of value in the sorted list "
                "or raises ValueError('value not in array'); find_all(search_list, values) returns the index of "
                "each value; insert_sorted(search_list, value) returns a new sorted list with value inserted. "
                "Reply with the whole file in one code block.",
    "repair": f"binary_search.py:\n```python\n{FILE}```\nThe tests expect the message 'value not in array'. "
              "Reply with the whole corrected file in one code block.",
}


def generate(srv: LocalServer, prompt: str, tokens: int) -> tuple[str, int, float]:
    body = {"messages": [{"role": "user", "content": prompt}], "max_tokens": tokens, "temperature": 0,
            "cache_prompt": False}
    t0 = time.perf_counter()
    r = httpx.post(f"{srv.base_url}/chat/completions", json=body, timeout=900)
    r.raise_for_status()
    reply = r.json()
    n = reply["usage"]["completion_tokens"]
    per_s = reply.get("timings", {}).get("predicted_per_second") or n / (time.perf_counter() - t0)
    return reply["choices"][0]["message"]["content"], n, per_s


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="qwen2.5-coder-1.5b")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--tokens", type=int, default=400)
    p.add_argument("--draft", default="", help="an embedded model to draft tokens (e.g. qwen2.5-coder-0.5b)")
    p.add_argument("--draft-max", type=int, default=DRAFT_MAX, help="tokens drafted at a time")
    p.add_argument("--modes", default="ngram", help="comma-separated modes besides off: ngram, draft")
    a = p.parse_args()
    models = cache_dir() / "models"
    path = ensure_model(a.model, models)
    modes = [m for m in a.modes.split(",") if m] + (["draft"] if a.draft and "draft" not in a.modes else [])
    if "draft" in modes and not a.draft:
        p.error("the draft mode needs --draft MODEL")
    draft = ensure_model(a.draft, models) if "draft" in modes else None
    results: dict[str, dict[str, tuple[str, int, float]]] = {}
    for mode in ["off", *modes]:
        srv = LocalServer.start(path, ctx_size=4096, threads=a.threads, parallel=1,
                                speculative="ngram" if mode == "ngram" else "",
                                draft_model=draft if mode == "draft" else None, draft_max=a.draft_max)
        try:
            results[mode] = {kind: generate(srv, prompt, a.tokens) for kind, prompt in PROMPTS.items()}
        finally:
            srv.stop()
    print(f"{a.model}, {a.threads} thread(s), temperature 0" + (f", draft {a.draft} ({a.draft_max} at a time)"
                                                                  if draft else ""))
    print(f"{'reply':<10} {'mode':<6} {'tokens':>6} {'tok/s':>7} {'speed-up':>9}")
    for kind in PROMPTS:
        text0, _, off = results["off"][kind]
        for mode in ["off", *modes]:
            text, n, per_s = results[mode][kind]
            same = "" if text == text0 else "  (the reply differs from off's)"
            print(f"{kind:<10} {mode:<6} {n:>6} {per_s:>7.1f} {per_s / off:>8.2f}x{same}")


if __name__ == "__main__":
    main()
