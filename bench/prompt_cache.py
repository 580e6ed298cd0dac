#!/usr/bin/env python3
"""Upper bound of KV-cache reuse: how much of each request is an exact prefix of the previous one.

    python bench/prompt_cache.py FILE.requests.jsonl       # a scripted model's request log
    python bench/prompt_cache.py SESSION.jsonl             # a transcript (requests rebuilt from its messages)
    python bench/prompt_cache.py --demo                    # a 20-turn scripted session on this repository

Prints, per turn and in total, the share of each request (characters and estimated tokens) that repeats the
previous request unchanged — what a server with prompt caching can skip. hame's goal: >= 95 % over 20 turns.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hame.messages import estimate_tokens


def requests_from(path: Path) -> list[str]:
    """Each request as JSON text: from a request log as sent, or rebuilt from a transcript's messages."""
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if lines and "messages" in lines[0]:
        return [json.dumps([r.get("tools"), r["messages"]]) for r in lines]
    history: list[dict] = []
    requests = []
    for rec in lines:
        if rec.get("type") == "message":
            history.append(rec["message"])
        elif rec.get("type") == "model_request":
            requests.append(json.dumps([None, history]))
    return requests


def common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    lo, hi = 0, n
    while lo < hi:  # binary search on prefix equality: fast for long requests
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def report(requests: list[str]) -> float:
    shared_total = size_total = 0
    print(f"{'turn':>4} {'chars':>9} {'reused':>9} {'share':>7} {'est. tokens reused':>19}")
    for i, (prev, cur) in enumerate(zip(requests, requests[1:], strict=False), start=2):
        shared = common_prefix(prev[:-2], cur)  # the previous request without its closing brackets
        shared_total += shared
        size_total += len(cur)
        print(f"{i:>4} {len(cur):>9,} {shared:>9,} {shared / len(cur):>7.1%} "
              f"{estimate_tokens(cur[:shared]):>8,} / {estimate_tokens(cur):,}")
    share = shared_total / size_total if size_total else 0.0
    print(f"total: {shared_total:,} of {size_total:,} characters ({share:.1%}) repeat the previous request")
    return share


def demo() -> Path:
    repo = Path(__file__).resolve().parent.parent
    files = sorted(p.relative_to(repo).as_posix() for p in (repo / "src" / "hame").rglob("*.py"))[:12]
    turns = [{"content": "", "tool_calls": [{"name": "read_file", "arguments": {"path": f, "limit": 20}}
                                            if i % 3 else {"name": "search", "arguments": {"pattern": "def "}}]}
             for i, f in enumerate(files * 2)][:19] + [{"content": "done"}]
    tmp = Path(tempfile.mkdtemp(prefix="hame-cache-"))
    script = tmp / "model.jsonl"
    script.write_text("".join(json.dumps(t) + "\n" for t in turns))
    env = {**os.environ, "HAME_STATE_DIR": str(tmp / "state")}
    subprocess.run([sys.executable, "-m", "hame", "-p", "Survey the code", "--cwd", str(repo), "--model",
                    f"scripted:{script}", "--output-format", "json"], env=env, capture_output=True, check=True)
    return Path(str(script) + ".requests.jsonl")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    path = demo() if sys.argv[1] == "--demo" else Path(sys.argv[1])
    share = report(requests_from(path))
    return 0 if share >= 0.95 else 1


if __name__ == "__main__":
    raise SystemExit(main())
