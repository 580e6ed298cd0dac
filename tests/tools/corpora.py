"""Load the robustness corpora under tests/data (shared by the tests and bench/robustness.py)."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def load(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus_tools() -> dict[str, list[str]]:
    return json.loads((DATA / "corpus_tools.json").read_text(encoding="utf-8"))
