"""Print how often hame recovers from small-model slips, over the corpora in tests/data.

    python bench/robustness.py

Goal: >= 95 % of malformed calls read as intended, >= 95 % of imperfect but unambiguous edits applied exactly,
and 0 ambiguous or absent edits applied.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from hame.tools.matching import apply_edit
from hame.tools.textcalls import parse_tool_calls

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def calls_score(cases: list[dict], tools: dict[str, list[str]]) -> tuple[Counter[str], Counter[str]]:
    total: Counter[str] = Counter()
    good: Counter[str] = Counter()
    for case in cases:
        kind = "flag error" if case.get("expect_error") else "read calls" if case.get("expect") else "leave prose"
        result = parse_tool_calls(case["text"], tools)
        got = [{"name": c.name, "arguments": c.arguments} for c in result.calls]
        total[kind] += 1
        good[kind] += got == case.get("expect", []) and (result.error is not None) == bool(case.get("expect_error"))
    return total, good


def edits_score(cases: list[dict]) -> tuple[int, int, int, int, Counter[str]]:
    applied = unambiguous = wrongly = refusals = 0
    strategies: Counter[str] = Counter()
    for case in cases:
        outcome = apply_edit(case["content"], case["old"], case["new"], case.get("replace_all", False))
        if case["expected"] is None:
            refusals += 1
            wrongly += outcome.ok
            continue
        unambiguous += 1
        if outcome.ok and outcome.content == case["expected"]:
            applied += 1
            strategies[outcome.strategy] += 1
    return applied, unambiguous, wrongly, refusals, strategies


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "0/0"


def main() -> int:
    tools = json.loads((DATA / "corpus_tools.json").read_text(encoding="utf-8"))
    total, good = calls_score(load("malformed_calls.jsonl"), tools)
    print(f"malformed calls recovered: {pct(sum(good.values()), sum(total.values()))}")
    for kind in sorted(total):
        print(f"  {kind:12} {pct(good[kind], total[kind])}")
    applied, unambiguous, wrongly, refusals, strategies = edits_score(load("imperfect_edits.jsonl"))
    print(f"imperfect unambiguous edits applied exactly: {pct(applied, unambiguous)}")
    for strategy, count in strategies.most_common():
        print(f"  {strategy:40} {count}")
    print(f"ambiguous or absent edits wrongly applied: {wrongly} of {refusals}")
    ok = sum(good.values()) >= 0.95 * sum(total.values()) and applied >= 0.95 * unambiguous and wrongly == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
