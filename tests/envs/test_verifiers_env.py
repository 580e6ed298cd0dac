"""The `hame-env` verifiers environment through the real `vf-eval` (local subprocess runtime, no push) against a
scripted streaming OpenAI-compatible server: rewards [1, 0] for the pass/fail pair, and traces that hold what
hame sent (its system prompt, its tool calls and their results)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.envs.conftest import system_prompts
from tests.envs.pair import scripted
from tests.fakes.openai_server import FakeOpenAI

pytest.importorskip("verifiers.v1", reason="needs the verifiers extra: pip install 'hame[verifiers]'")

VF_EVAL = "from verifiers.v1.cli.eval.main import main; main()"


def vf_eval(manifest: Path, url: str, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    args = ["hame-env", "--env.taskset.path", str(manifest), "-m", "fake-model", "--client.base-url", url,
            "--client.api-key-var", "FAKE_KEY", "--env.agent.runtime.type", "subprocess",
            "--env.agent.harness.id", "hame-env", "--env.agent.harness.attempts", "1",
            "--env.agent.harness.context-window", "16384", "--no-push", "--no-rich", "-o", str(out)]
    return subprocess.run([sys.executable, "-c", VF_EVAL, *args], env={**env, "FAKE_KEY": "k"}, cwd=out.parent,
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


def test_vf_eval_scores_the_pair_and_records_hames_requests(manifest: Path, clean_env: dict,
                                                             tmp_path: Path) -> None:
    with FakeOpenAI([scripted] * 40) as server:
        done = vf_eval(manifest, server.url, tmp_path / "outputs", clean_env)
    assert done.returncode == 0, done.stderr[-3000:]
    episodes = [json.loads(line) for f in (tmp_path / "outputs").rglob("traces.jsonl")
                for line in f.read_text().splitlines()]
    assert all(e["ok"] for e in episodes)
    traces = [t for e in episodes for t in e["traces"]]
    by_task = {t["task"]["data"]["name"]: t for t in sorted(traces, key=lambda t: t["task"]["data"]["idx"])}
    assert [by_task[n]["rewards"]["passed"]["score"] for n in ("alpha", "beta")] == [1.0, 0.0]
    assert all(t["ok"] and not t["errors"] for t in traces)
    for trace in traces:
        messages = [n["message"] for n in trace["nodes"]]
        assert messages[0]["role"] == "system" and messages[0]["content"] in system_prompts(server.requests)
    # the failing task's answer came while its check failed: hame says so, and the rollout is still scored, not errored
    assert [by_task[n]["info"]["hame"]["stop_reason"] for n in ("alpha", "beta")] == ["completed", "check_failed"]
    alpha = [n["message"] for n in by_task["alpha"]["nodes"]]
    calls = [c for m in alpha for c in m.get("tool_calls") or []]
    assert [c["name"] for c in calls] == ["write_file"]
    assert any(m["role"] == "tool" for m in alpha)
    assert by_task["alpha"]["metrics"]["tests_passed"] == 1.0 and by_task["beta"]["metrics"]["tests_failed"] == 1.0
    assert not (Path(tempfile.gettempdir()) / "hame-bench-alpha.lock").exists(), "the workspace was not released"
    # bench/solve_rate.py reads the rollouts as bench rows, to set a vf-eval run beside `hame bench`'s
    root = Path(__file__).resolve().parents[2]
    table = subprocess.run([sys.executable, str(root / "bench" / "solve_rate.py"), "--compare",
                            f"vf={next((tmp_path / 'outputs').rglob('traces.jsonl'))}"],
                           capture_output=True, text=True, timeout=60)
    assert table.returncode == 0, table.stderr
    rows = {line.split()[0]: line.split()[1:] for line in table.stdout.splitlines()[1:]}
    assert rows["alpha"] == ["PASS"] and rows["beta"] == ["fail", "0/1"] and rows["solved"] == ["1/2"]


def test_a_check_without_test_counts_is_scored_not_errored(tmp_path: Path, clean_env: dict) -> None:
    line = {"name": "gamma", "instructions": "Task gamma: nothing to do.", "files": {"calc.py": "x = 1\n"},
            "solution_files": ["calc.py"], "check": "python -c 'raise SystemExit(1)'", "timeout": 60}
    manifest = tmp_path / "gamma.jsonl"
    manifest.write_text(json.dumps(line) + "\n", encoding="utf-8")  # its check fails and prints no pytest counts
    with FakeOpenAI([scripted] * 10) as server:
        done = vf_eval(manifest, server.url, tmp_path / "outputs", clean_env)
    assert done.returncode == 0, done.stderr[-3000:]
    (trace,) = [t for f in (tmp_path / "outputs").rglob("traces.jsonl") for line in f.read_text().splitlines()
                for t in json.loads(line)["traces"]]
    assert trace["ok"] and not trace["errors"], trace["errors"]
    assert trace["rewards"]["passed"]["score"] == 0.0 and "tests_passed" not in trace["metrics"]


def test_the_taskset_loads_every_task_with_the_bench_prompt(manifest: Path) -> None:
    from hame.bench.prompting import task_prompt
    from hame.bench.tasks import load_taskset
    from hame.envs.verifiers_env import HameTaskset, HameTasksetConfig

    tasks = list(HameTaskset(HameTasksetConfig(path=str(manifest))))
    bench = load_taskset(manifest)
    assert [t.data.name for t in tasks] == ["alpha", "beta"]
    assert [t.data.prompt for t in tasks] == [task_prompt(t) for t in bench]
    assert [t.data.bench_task() for t in tasks] == bench


def test_no_task_set_is_a_clear_error() -> None:
    from hame.envs.verifiers_env import HameTaskset, HameTasksetConfig

    with pytest.raises(ValueError, match="--env.taskset.path"):
        list(HameTaskset(HameTasksetConfig()))
