"""Print how much n-gram speculative decoding (llama.cpp's `ngram-simple`) speeds up the embedded model on the
two kinds of reply a small model writes in hame: a first version of a file (new code) and a repair (the same
file written again with a small change, which repeats most of its context).

    python bench/speculative.py [--model qwen2.5-coder-1.5b] [--threads 1] [--tokens 400]

For each kind: generated tokens, tokens/s without and with speculation, and the speed-up. Temperature 0, so both
servers write the same reply; the script says so when they differ.
"""

from __future__ import annotations

import argparse
import time

import httpx

from hame.providers.local import LocalServer
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
    a = p.parse_args()
    path = ensure_model(a.model, cache_dir() / "models")
    results: dict[str, dict[str, tuple[str, int, float]]] = {}
    for mode in ("", "ngram"):
        srv = LocalServer.start(path, ctx_size=4096, threads=a.threads, parallel=1, speculative=mode)
        try:
            results[mode or "off"] = {kind: generate(srv, prompt, a.tokens) for kind, prompt in PROMPTS.items()}
        finally:
            srv.stop()
    print(f"{a.model}, {a.threads} thread(s), temperature 0")
    print(f"{'reply':<10} {'tokens':>6} {'off tok/s':>10} {'ngram tok/s':>12} {'speed-up':>9}")
    for kind in PROMPTS:
        (text0, n, off), (text1, _, on) = results["off"][kind], results["ngram"][kind]
        same = "" if text0 == text1 else "  (the replies differ)"
        print(f"{kind:<10} {n:>6} {off:>10.1f} {on:>12.1f} {on / off:>8.2f}x{same}")


if __name__ == "__main__":
    main()
