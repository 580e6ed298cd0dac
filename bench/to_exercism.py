"""Write a hame task set as Exercism exercise directories, the layout Aider's benchmark harness reads:
<out>/<name>/.docs/instructions.md, <out>/<name>/.meta/config.json ({"files": {"solution", "test"}}) and the files.

    python bench/to_exercism.py TASKSET OUT
    python bench/to_exercism.py ../shared/bench/exercism-dev.jsonl tmp.benchmarks/hame-dev/python/exercises/practice
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hame.bench.tasks import load_taskset
from hame.bench.worker import write_files


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    for task in load_taskset(Path(argv[0])):
        d = out / task.slug
        write_files(d, task.files)
        (d / ".docs").mkdir(exist_ok=True)
        (d / ".docs" / "instructions.md").write_text(task.instructions, encoding="utf-8")
        (d / ".meta").mkdir(exist_ok=True)
        config = {"files": {"solution": list(task.files_to_edit), "test": list(task.test_files), "example": []}}
        (d / ".meta" / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        print(d)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
