"""Which tactics acted in a bench run, and which try solved each task, read from the run's transcripts.

    python bench/tactic_census.py bench/results/LABEL.runs [more .runs folders]

Per task: solved or not, the try that passed (`first` reply, `plain N`: the Nth plain retry, `fresh N`: the Nth
noted restart), and how often each tactic acted (from the session's notices, the replies' finish reasons and the
tool results' notes). The evidence for keeping or dropping a tactic (bench/RESULTS.md) starts here: a tactic that
never acts on a task set costs nothing there but cannot be credited with a solve either.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

# what in a transcript shows a tactic acting: (tactic, event type, pattern)
SIGNS = [
    ("restarts: plain", "notice", r"restarting from the task \(plain"),
    ("restarts: fresh", "notice", r"restarting from the task \(fresh"),
    ("restarts: unchanged", "notice", r"left the code as it was"),
    ("restarts: final answer", "notice", r"final answer while the check fails"),
    ("restarts: unusable", "notice", r"unusable replies in a row"),
    ("resample", "notice", r"repeats a call that already failed"),
    ("salvage", "notice", r"copying the tests was cut|began copying the tests"),
    ("definition_edits: cut kept", "notice", r"the definitions it finished are kept"),
    ("watches: copying", "finish", r"^copying_tests$"),
    ("watches: echoing", "finish", r"^echoing"),
    ("repetition cut", "finish", r"^repetition$"),
    ("output limit", "finish", r"^length$"),
    ("write_repairs", "result", r"hame (added `import|put back .* from the old file|removed the <tool_response>)"),
    ("definition_edits: placed", "result", r"hame put your .* in place"),
    ("protect_tests", "result", r"(test file|tests beside it).*(never changes|Refus)|Refus.*test"),
    ("steering", "message", r"You have now made this exact call"),
]


def census(session: Path) -> tuple[bool, str, Counter]:
    seen: Counter = Counter()
    tries, passed_at, passed = "first", "", False
    for line in session.read_text(encoding="utf-8").splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        kind = e.get("type")
        text = {"notice": e.get("text"), "assistant": None, "tool_result": e.get("output"),
                "message": (e.get("message") or {}).get("content")}.get(kind) or ""
        finish = e.get("finish_reason") or "" if kind == "assistant" else ""
        for name, where, pattern in SIGNS:
            source = {"notice": text if kind == "notice" else "", "finish": finish,
                      "result": text if kind == "tool_result" else "",
                      "message": text if kind == "message" and isinstance(text, str) else ""}[where]
            if source and re.search(pattern, source):
                seen[name] += 1
        if kind == "notice" and (m := re.search(r"restarting from the task \((\w+)", text)):
            tries = f"{m.group(1)} {seen['restarts: ' + m.group(1)]}"
        if kind == "notice" and re.search(r"^check `.*`: passed", text) and not passed:
            passed, passed_at = True, tries
    return passed, passed_at, seen


def main(folders: list[str]) -> None:
    total: Counter = Counter()
    solves: Counter = Counter()
    for folder in folders:
        for task in sorted(p for p in Path(folder).iterdir() if p.is_dir()):
            sessions = sorted((task / "state" / "sessions").glob("*.jsonl"))
            if not sessions:
                continue
            passed, at, seen = census(sessions[-1])
            total.update(seen)
            if passed:
                solves[at.split()[0]] += 1
            acted = ", ".join(f"{k} {v}" for k, v in sorted(seen.items()))
            print(f"{task.name:28} {'PASS at ' + at if passed else 'fail':16} {acted}")
    print("\nsolved at:", ", ".join(f"{k} {v}" for k, v in solves.most_common()) or "none")
    print("acted in all:", ", ".join(f"{k} {v}" for k, v in total.most_common()))


if __name__ == "__main__":
    main(sys.argv[1:] or sys.exit(__doc__))
