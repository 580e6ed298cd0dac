"""Context reduction end to end: the real CLI, loop, tools and transcript with the scripted model and a small
`--context-window`. Every request the scripted model received is measured with the same estimator hame uses.

The scripted model answers side requests (the summary) from the same script, so these scripts are written to
work whichever turn a summary request takes: a turn's prose is the summary and its tool call is ignored, and a
turn without prose is an unusable summary (the deterministic fallback is used)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.context.prompt import load_prompt
from hame.messages import estimate_tokens
from hame.session.resume import load

from ..conftest import call, make_workspace, requests_of, write_script
from ..fakes.openai_server import FakeOpenAI, reply, status
from ..session.support import records, repl

TASK = "Tidy the modules (TASK-MARK-7)"
COMPACT_PROMPT = load_prompt("compact.md").split("\n")[0]


def modules(n: int = 8, functions: int = 40) -> dict[str, str]:
    return {f"mod{i}.py": "".join(f"def f{i}_{j}(x):\n    '''Function {j} of module {i}.'''\n    return x * {j}\n\n"
                                  for j in range(functions)) for i in range(n)}


def tokens(request: dict) -> int:
    return estimate_tokens(json.dumps(request, ensure_ascii=False))


def is_summary(request: dict) -> bool:
    return request["messages"][0]["content"].startswith(COMPACT_PROMPT)


def long_session(steps: int, prose: str = "") -> list[dict]:
    """Reads, big command outputs, writes, searches and one failing command, round and round."""
    turns = [{"content": prose, "tool_calls": [call("remember", note="keep the public names", kind="decision")]},
             {"content": prose, "tool_calls": [call("run_shell", command="echo FAIL-MARK-3; exit 3")]}]
    for s in range(steps - len(turns)):
        k = s % 5
        if k == 0:
            c = call("read_file", path=f"mod{s % 8}.py")
        elif k == 1:
            c = call("run_shell", command=f"seq 1 400 | sed 's/$/ row of step {s}/'")
        elif k in (2, 4):
            c = call("write_file", path=f"out{s % 7}.txt", content=f"step {s}\n" * 20)
        else:
            c = call("search", pattern=f"f{s % 8}_1")
        turns.append({"content": prose, "tool_calls": [c]})
    return turns + [{"content": "done"}] * 3  # a summary request may take one


def run_long(tmp_path: Path, hame, turns: list[dict], *flags: str) -> tuple[dict, list[dict], list[dict]]:
    ws = make_workspace(tmp_path / "ws", modules())
    script = write_script(tmp_path / "s.jsonl", turns)
    r = hame("-p", TASK, "--cwd", str(ws), "--model", f"scripted:{script}", "--output-format", "json",
             "--context-window", "8192", "--max-steps", "300", "--sandbox", "none", *flags, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    return out, requests_of(script), records(Path(out["transcript"]))


@pytest.mark.parametrize("protocol", ["native", "constrained"])
def test_a_200_step_session_never_exceeds_a_small_window(tmp_path: Path, hame, protocol: str) -> None:
    out, reqs, recs = run_long(tmp_path, hame, long_session(200), "--tool-protocol", protocol)
    assert out["stop_reason"] == "completed" and len(reqs) >= 201
    assert max(tokens(r) for r in reqs) <= 8192
    main = [r for r in reqs if not is_summary(r)]
    compactions = [r for r in recs if r["type"] == "compaction"]
    assert len(main) == out["steps"] and len(compactions) >= 10 and len(reqs) - len(main) >= 10
    assert {c["source"] for c in compactions if c["tier"] == "summary"} == {"fallback"}  # no prose in the turns
    # every request extends the previous one, except right after a compaction
    pairs = enumerate(zip(main, main[1:], strict=False), 2)  # (step of b, (a, b))
    breaks = [step for step, (a, b) in pairs if b["messages"][: len(a["messages"])] != a["messages"]]
    assert len(breaks) <= len(compactions) and {c["step"] for c in compactions} >= set(breaks)
    last = json.dumps(main[-1]["messages"])
    assert TASK in last and "keep the public names" in last and "FAIL-MARK-3" in last
    assert len(out["files_changed"]) >= 4 and all(f in last for f in out["files_changed"])
    assert main[-1]["messages"][0] == main[0]["messages"][0]  # the system prompt (AGENTS.md, map) stays


def test_the_transcript_keeps_every_event_and_resume_rebuilds_the_compacted_history(tmp_path: Path, hame) -> None:
    out, reqs, recs = run_long(tmp_path, hame, long_session(60))
    main = [r for r in reqs if not is_summary(r)]
    steps = out["steps"]
    assert [r["step"] for r in recs if r["type"] == "model_request"] == list(range(1, steps + 1))
    calls = [r for r in recs if r["type"] == "tool_call"]
    assert len(calls) == steps - 1 == len([r for r in recs if r["type"] == "tool_result"])
    first_read = next(r for r in recs if r["type"] == "tool_result" and r["name"] == "read_file")
    marker = "Function 39 of module 0."
    assert marker in first_read["output"] and marker not in json.dumps(main[-1])  # gone from the context
    history, _steps, _head, _closing = load(Path(out["transcript"]))
    assert history == [*main[-1]["messages"], {"role": "assistant", "content": "done"}]

    script = write_script(tmp_path / "next.jsonl", [{"content": "", "tool_calls": [call("list_files")]},
                                                    {"content": "ok"}])
    r = hame("-p", "and now the docs", "--cwd", str(tmp_path / "ws"), "--model", f"scripted:{script}",
             "--resume", "latest", "--context-window", "8192", "--sandbox", "none")
    assert r.returncode == 0, r.stderr
    resumed = requests_of(script)[0]["messages"]
    assert resumed[: len(history)] == history and resumed[-1] == {"role": "user", "content": "and now the docs"}


def test_the_summary_written_by_the_model_is_used_with_memory_and_request_put_back(tmp_path: Path, hame) -> None:
    prose = "SUMMARY-MARK: tidying the modules; wrote out0.txt to out4.txt; next: the remaining modules."
    out, reqs, recs = run_long(tmp_path, hame, long_session(40, prose))
    summaries = [r for r in reqs if is_summary(r)]
    assert summaries and all(tokens(r) <= 8192 for r in reqs)
    assert "CALL read_file(path=mod0.py)" in json.dumps(summaries[0])  # the old turns, as text
    comp = next(r for r in recs if r["type"] == "compaction" and r["tier"] == "summary")
    assert comp["source"] == "model"
    head = comp["messages"][1]["content"]
    assert head.startswith("[context compacted at step") and "SUMMARY-MARK" in head
    assert "decisions:\n- keep the public names" in head and "files touched: out" in head
    assert {"role": "user", "content": TASK} in comp["messages"][2:4]  # the request, verbatim, after it


def test_old_outputs_are_masked_first_and_repeats_then_show_the_text_again(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", modules(8, 60))
    turns = [{"content": "", "tool_calls": [call("read_file", path="mod0.py")]},
             {"content": "", "tool_calls": [call("read_file", path="mod0.py")]}]  # unchanged: a short note
    turns += [{"content": "", "tool_calls": [call("read_file", path=f"mod{i}.py")]} for i in range(1, 8)]
    turns += [{"content": "", "tool_calls": [call("read_file", path="mod0.py")]}, {"content": "done"}]
    script = write_script(tmp_path / "s.jsonl", turns)
    r = hame("-p", TASK, "--cwd", str(ws), "--model", f"scripted:{script}", "--context-window", "16384",
             "--output-format", "json")
    assert r.returncode == 0, r.stderr
    reqs = requests_of(script)
    assert len(reqs) == len(turns) and not any(is_summary(q) for q in reqs)
    comp = [c for c in records(Path(json.loads(r.stdout)["transcript"])) if c["type"] == "compaction"]
    assert comp and {c["tier"] for c in comp} == {"mask"}
    results = [m["content"] for m in reqs[-1]["messages"] if m["role"] == "tool"]
    assert results[0] == "[output of read_file(path=mod0.py) removed to save context; call it again if needed]"
    assert results[1].startswith("Unchanged since you read it at step 1")
    assert "def f7_59" in results[-2]  # the last turns stay whole
    assert "def f0_59" in results[-1]  # read again after the compaction: the text, not "unchanged"
    assert "[context: " in results[-1] and "% of 16k tokens" in results[-1]


def test_below_the_threshold_nothing_is_rewritten(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", modules(3, 25))
    turns = [{"content": "", "tool_calls": [call("read_file", path=f"mod{i}.py")]} for i in range(3)]
    script = write_script(tmp_path / "s.jsonl", [*turns, {"content": "done"}])
    r = hame("-p", TASK, "--cwd", str(ws), "--model", f"scripted:{script}", "--context-window", "16384")
    assert r.returncode == 0, r.stderr
    reqs = requests_of(script)
    for a, b in zip(reqs, reqs[1:], strict=False):
        assert b["messages"][: len(a["messages"])] == a["messages"]
    assert "[context:" not in json.dumps(reqs)  # under half the window: no note
    assert "compacted" not in r.stderr


def test_one_huge_output_is_clipped_to_the_room_left_and_saved_whole(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", modules(2))
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("read_file", path="mod0.py")]},
        {"content": "", "tool_calls": [call("run_shell", command="seq 1 200000")]},
        {"content": "done"}])
    r = hame("-p", TASK, "--cwd", str(ws), "--model", f"scripted:{script}", "--context-window", "8192",
             "--sandbox", "none")
    assert r.returncode == 0, r.stderr
    reqs = requests_of(script)
    assert all(tokens(q) <= 8192 for q in reqs)
    output = reqs[-1]["messages"][-1]["content"]
    assert output.startswith("[exit code 0]\n1\n") and "200000" in output and len(output) < 8192
    saved = output.split('read_file(path="')[1].split('"')[0]
    assert Path(saved).read_text().endswith("\n199999\n200000")


def test_compact_by_hand_in_the_repl(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", modules(5, 10))
    turns = [{"content": "", "tool_calls": [call("read_file", path=f"mod{i}.py")]} for i in range(5)]
    summary = "SUMMARY-MARK: read the five modules; nothing changed yet; next: tidy them."
    script = write_script(tmp_path / "s.jsonl", [*turns, {"content": "read them"}, {"content": summary}])
    r = repl(tmp_path / "state", ["read the modules", "/compact"], "--cwd", str(ws), "--model", f"scripted:{script}")
    assert r.returncode == 0, r.stderr
    assert "compacted the context:" in r.stdout
    transcript = sorted((tmp_path / "state" / "sessions").glob("*.jsonl"))[-1]
    comp = [c for c in records(transcript) if c["type"] == "compaction"]
    assert len(comp) == 1 and comp[0]["source"] == "model" and "SUMMARY-MARK" in comp[0]["messages"][1]["content"]


def test_the_server_reports_the_window_and_a_failed_summary_falls_back(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", modules())
    main_steps: list[int] = []

    def answer(body: dict) -> dict:
        if body["messages"][0]["content"].startswith(COMPACT_PROMPT):
            return status(400)  # the summary request fails
        main_steps.append(1)
        if len(main_steps) > 30:
            return reply("done")
        return reply(None, [("read_file", {"path": f"mod{len(main_steps) % 8}.py"})])

    with FakeOpenAI([answer] * 60, pages={"/props": {"default_generation_settings": {"n_ctx": 8192}}}) as srv:
        r = hame("-p", TASK, "--cwd", str(ws), "--model", "openai:m", "--base-url", srv.url, "--api-key", "k",
                 "--output-format", "json", "--max-steps", "50")
    assert r.returncode == 0, r.stderr
    assert "summary request failed (model server returned HTTP 400" in r.stderr
    assert all(tokens({"messages": q["messages"], "tools": q.get("tools", [])}) <= 8192 for q in srv.requests)
    comp = [c for c in records(Path(json.loads(r.stdout)["transcript"])) if c["type"] == "compaction"]
    assert any(c["source"] == "fallback" for c in comp) and len(main_steps) == 31  # the run went on
