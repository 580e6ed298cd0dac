"""Print how fast each installed local model loads, reads, writes and reuses its cached prefix.

    python bench/local_model.py [--models NAME ...] [--threads N] [--cache DIR]

For every model of the registry that is installed: assembly/verification time, load time, prompt tokens/s,
generation tokens/s, latency of a second turn with a cold vs a warm (cached prefix) KV cache, and time to first
token on a fresh server with and without restoring the prefix's KV cache saved by an earlier run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import httpx

from hame.providers.local import LocalServer, default_threads, slot_filename
from hame.providers.model_store import MODELS, ModelNotInstalled, ensure_model

CTX = 8192
SYSTEM = ("You are hame, a coding agent working in a git repository. Tools: read_file, edit_file, bash, grep. "
          + "".join(f"Rule {i}: keep edits small, run the tests after each change, and report what you did. "
                    for i in range(60)))
TURN1 = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "What does `git stash` do?"}]


def post(srv: LocalServer, body: dict) -> tuple[dict, float]:
    t0 = time.perf_counter()
    r = httpx.post(f"{srv.base_url}/chat/completions", json={"temperature": 0, **body}, timeout=600)
    r.raise_for_status()
    return r.json(), time.perf_counter() - t0


def ttft(srv: LocalServer, messages: list[dict], slot: int) -> float:
    """Seconds until the first streamed content token."""
    body = {"messages": messages, "max_tokens": 8, "stream": True, "id_slot": slot, "cache_prompt": True}
    t0 = time.perf_counter()
    with httpx.stream("POST", f"{srv.base_url}/chat/completions", json=body, timeout=600) as r:
        for line in r.iter_lines():
            if '"content":"' in line:
                return time.perf_counter() - t0
    return float("nan")


def speeds(srv: LocalServer) -> tuple[int, float, float]:
    reply, _ = post(srv, {"messages": TURN1, "max_tokens": 128, "ignore_eos": True, "cache_prompt": False,
                          "id_slot": 0})
    t = reply["timings"]
    return t["prompt_n"], t["prompt_per_second"], t["predicted_per_second"]


def second_turn(srv: LocalServer) -> tuple[list[dict], float, float, int]:
    reply, _ = post(srv, {"messages": TURN1, "max_tokens": 48, "id_slot": 0, "cache_prompt": True})
    turn2 = [*TURN1, reply["choices"][0]["message"],
             {"role": "user", "content": "And how do I get the stashed changes back?"}]
    body = {"messages": turn2, "max_tokens": 16, "id_slot": 0}
    _, cold = post(srv, {**body, "cache_prompt": False})
    post(srv, {"messages": TURN1, "max_tokens": 48, "id_slot": 0, "cache_prompt": True})  # re-warm the prefix
    warm_reply, warm = post(srv, {**body, "cache_prompt": True})
    return turn2, cold, warm, warm_reply["timings"]["cache_n"]


def restore_ttft(path: Path, threads: int, slot_dir: Path, turn2: list[dict]) -> tuple[float, float, float, int]:
    name = slot_filename(path, SYSTEM)
    with LocalServer.start(path, ctx_size=CTX, threads=threads, slot_dir=slot_dir) as srv:
        post(srv, {"messages": TURN1[:1], "max_tokens": 1, "id_slot": 0, "cache_prompt": True})  # prefill prefix
        saved = srv.save_slot(0, name)
    with LocalServer.start(path, ctx_size=CTX, threads=threads, slot_dir=slot_dir) as srv:
        without = ttft(srv, turn2, 0)
    with LocalServer.start(path, ctx_size=CTX, threads=threads, slot_dir=slot_dir) as srv:
        t0 = time.perf_counter()
        srv.restore_slot(0, name)
        restore_s = time.perf_counter() - t0
        with_restore = ttft(srv, turn2, 0) + restore_s
    return without, with_restore, restore_s, saved.size_bytes


def bench(name: str, cache: Path, threads: int) -> None:
    t0 = time.perf_counter()
    try:
        path = ensure_model(name, cache)
    except ModelNotInstalled:
        print(f"{name}: not installed, skipped")
        return
    ready = time.perf_counter() - t0
    with LocalServer.start(path, ctx_size=CTX, threads=threads) as srv:
        n, pp, tg = speeds(srv)
        turn2, cold, warm, cache_n = second_turn(srv)
    print(f"{name}  (threads {threads}, batch threads auto, ctx {CTX}/slot)")
    print(f"  assemble or verify   {ready:6.2f} s")
    print(f"  load                 {srv.load_s:6.2f} s")
    print(f"  prompt               {pp:6.1f} tok/s  ({n} tokens)")
    print(f"  generation           {tg:6.1f} tok/s")
    print(f"  2nd turn, cold cache {cold:6.2f} s")
    print(f"  2nd turn, warm cache {warm:6.2f} s  ({cache_n} tokens reused)")
    without, with_restore, restore_s, size = restore_ttft(path, threads, cache / "slots", turn2)
    print(f"  fresh server TTFT    {without:6.2f} s without restore, {with_restore:.2f} s with restore "
          f"({restore_s * 1000:.0f} ms to read {size / 2**20:.1f} MiB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="*", default=sorted(MODELS))
    ap.add_argument("--threads", type=int, default=default_threads())
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "hame" / "models")
    args = ap.parse_args()
    for name in args.models:
        bench(name, args.cache, args.threads)


if __name__ == "__main__":
    main()
