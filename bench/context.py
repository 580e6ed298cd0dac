"""Print the prompt tokens a long scripted session costs with and without context reduction (compaction, output
capping and dedupe; HAME_CONTEXT_REDUCTION=off turns them off).

    python bench/context.py [--steps 150] [--window 16384]

The same script runs twice through the real CLI in fresh temp workspaces. Every request the scripted model
receives is measured with hame's estimator. A summary request takes a script turn, so the reduced run makes
fewer main steps; the turns carry prose, which such a request uses as its summary.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hame.messages import estimate_tokens

PROSE = "Progress: tidying the modules one by one; the output files are written; next: the rest of the modules."


def workspace(root: Path) -> Path:
    for i in range(8):
        body = "".join(f"def f{i}_{j}(x):\n    '''Function {j} of module {i}.'''\n    return x * {j}\n\n"
                       for j in range(50))
        (root / f"mod{i}.py").write_text(body)
    subprocess.run("git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm init",
                   shell=True, cwd=root, check=True)
    return root


def turns(steps: int) -> list[dict]:
    """Reads (some repeated), long command outputs, writes and searches: what a long session does."""
    kinds = [lambda s: ("read_file", {"path": f"mod{s % 5}.py"}),
             lambda s: ("run_shell", {"command": f"seq 1 300 | sed 's/$/ line of step {s}/'"}),
             lambda s: ("write_file", {"path": f"out{s % 6}.txt", "content": f"step {s}\n" * 10}),
             lambda s: ("search", {"pattern": f"f{s % 3}_1"}),
             lambda s: ("list_files", {})]
    out = []
    for s in range(steps):
        name, args = kinds[s % len(kinds)](s)
        out.append({"content": PROSE, "tool_calls": [{"name": name, "arguments": args}]})
    return out + [{"content": "done"}] * 3


def run(steps: int, window: int, reduce: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="hame-ctx-bench-") as tmp:
        root = Path(tmp)
        (root / "ws").mkdir()
        ws = workspace(root / "ws")
        script = root / "s.jsonl"
        script.write_text("".join(json.dumps(t) + "\n" for t in turns(steps)))
        env = {**os.environ, "HAME_STATE_DIR": str(root / "state"),
               "HAME_CONTEXT_REDUCTION": "on" if reduce else "off"}
        cmd = [sys.executable, "-m", "hame", "-p", "Tidy the modules", "--cwd", str(ws), "--model",
               f"scripted:{script}", "--output-format", "json", "--context-window", str(window),
               "--max-steps", str(steps + 10), "--sandbox", "none"]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise SystemExit(f"hame failed:\n{done.stderr[-2000:]}")
        sizes = [estimate_tokens(line) for line in Path(f"{script}.requests.jsonl").read_text().splitlines()]
        transcript = Path(json.loads(done.stdout)["transcript"]).read_text().splitlines()
        compactions = sum(json.loads(line)["type"] == "compaction" for line in transcript)
        return {"steps": json.loads(done.stdout)["steps"], "requests": len(sizes), "total": sum(sizes),
                "largest": max(sizes), "over": sum(s > window for s in sizes), "compactions": compactions}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--window", type=int, default=16384)
    a = p.parse_args()
    rows = [("off", run(a.steps, a.window, False)), ("on", run(a.steps, a.window, True))]
    print(f"{a.steps}-turn scripted session, {a.window}-token window (estimated tokens)")
    print(f"{'reduction':<10} {'steps':>6} {'requests':>9} {'prompt tokens':>14} {'largest':>8} "
          f"{'over window':>12} {'compactions':>12}")
    for label, r in rows:
        print(f"{label:<10} {r['steps']:>6} {r['requests']:>9} {r['total']:>14,} {r['largest']:>8,} "
              f"{r['over']:>12} {r['compactions']:>12}")
    off, on = rows[0][1], rows[1][1]
    print(f"prompt tokens per main step: {off['total'] / off['steps']:,.0f} -> {on['total'] / on['steps']:,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
