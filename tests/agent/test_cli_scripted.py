"""End to end through the real CLI, loop, tools and transcript, driven by the scripted model."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import call, make_workspace, requests_of, write_script
from ..fakes.openai_server import FakeOpenAI, reply

CALC = {"calc.py": "def add(a, b):\n    return a - b\n",
        "test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"}


def test_fixes_a_failing_test_and_prints_json_summary(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "demo.jsonl", [
        {"content": "", "tool_calls": [call("read_file", path="calc.py")]},
        {"content": "", "tool_calls": [call("edit_file", path="calc.py", old_text="return a - b",
                                            new_text="return a + b")]},
        {"content": "", "tool_calls": [call("run_shell", command="python -m pytest -q test_calc.py")]},
        {"content": "Fixed add(): it subtracted instead of adding."},
    ])
    r = hame("-p", "fix the failing test", "--cwd", str(ws), "--model", f"scripted:{script}",
             "--output-format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["result"] == "Fixed add(): it subtracted instead of adding."
    assert out["stop_reason"] == "completed" and out["steps"] == 4
    assert out["files_changed"] == ["calc.py"]
    assert set(out["usage"]) == {"input_tokens", "output_tokens", "cached_tokens", "estimated_input_tokens"}
    assert out["usage"]["estimated_input_tokens"] == out["usage"]["input_tokens"]  # no server: estimates
    assert (ws / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]
    assert records[0]["type"] == "session_start" and records[0]["session_id"] == out["session_id"]
    assert records[-1]["type"] == "final"
    results = [r for r in records if r["type"] == "tool_result"]
    assert [r["name"] for r in results] == ["read_file", "edit_file", "run_shell"]
    assert "1 passed" in results[2]["output"]


def test_every_request_extends_the_previous_and_each_call_has_one_result(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("read_file", path="calc.py"), call("list_files")]},
        {"content": "", "tool_calls": [call("search", pattern="def ")]},
        {"content": "done"},
    ])
    assert hame("-p", "look", "--cwd", str(ws), "--model", f"scripted:{script}").returncode == 0
    reqs = requests_of(script)
    assert len(reqs) == 3
    for a, b in zip(reqs, reqs[1:], strict=False):
        assert b["messages"][: len(a["messages"])] == a["messages"] and a["tools"] == b["tools"]
    msgs = reqs[-1]["messages"]
    ids = [c["id"] for m in msgs for c in m.get("tool_calls") or []]
    assert sorted(ids) == sorted(m["tool_call_id"] for m in msgs if m["role"] == "tool")
    assert {t["function"]["name"] for t in reqs[0]["tools"]} >= {
        "list_files", "read_file", "search", "write_file", "edit_file", "run_shell"}


def test_bad_tool_arguments_and_unknown_tools_go_back_to_the_model(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("read_file", offset=2)]},
        {"content": "", "tool_calls": [call("open_file", path="calc.py")]},
        {"content": "", "tool_calls": [{"name": "read_file", "arguments": "{not json"}]},
        {"content": "", "tool_calls": [call("read_file", path="/etc/passwd")]},
        {"content": "gave up"},
    ])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    tool_msgs = [m["content"] for m in requests_of(script)[-1]["messages"] if m["role"] == "tool"]
    assert "Invalid arguments for read_file: path: Field required" in tool_msgs[0]
    assert "Unknown tool 'open_file'" in tool_msgs[1] and "read_file" in tool_msgs[1]
    assert "must be a JSON object" in tool_msgs[2]
    assert "outside the workspace" in tool_msgs[3] and "root:" not in tool_msgs[3]


def test_running_past_the_script_is_a_clear_error(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [{"content": "", "tool_calls": [call("list_files")]}])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--output-format", "json")
    assert r.returncode == 1
    assert "has no turn 2" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["stop_reason"] == "error"


def test_max_steps_stops_with_exit_code_3(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [{"content": "", "tool_calls": [call("list_files")]}] * 5)
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--max-steps", "2",
             "--output-format", "json")
    assert r.returncode == 3 and json.loads(r.stdout)["stop_reason"] == "max_steps"
    assert len(requests_of(script)) == 2


def test_bad_usage_exits_2(tmp_path: Path, hame) -> None:
    assert hame("-p", "x", "--model", "nonsense:foo").returncode == 2
    assert hame("-p", "x", "--model", "scripted:/does/not/exist.jsonl").returncode == 2
    assert hame("-p", "x", "--cwd", str(tmp_path / "missing"), "--model", "scripted:x").returncode == 2
    assert hame("--output-format", "yaml").returncode == 2
    v = hame("--version")
    assert v.returncode == 0 and v.stdout.startswith("hame ")


def test_stream_json_prints_one_event_per_line(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("read_file", path="calc.py")]}, {"content": "ok"}])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--output-format", "stream-json")
    types = [json.loads(line)["type"] for line in r.stdout.splitlines()]
    assert types[0] == "session_start" and types[-1] == "final"
    assert {"model_request", "assistant", "tool_call", "tool_result"} <= set(types)


def test_text_turns_go_through_the_text_parser(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [
        {"text": 'I will read it.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "calc.py"}}\n</tool_call>'},
        {"text": "The bug is the minus sign."},
    ])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    assert "return a - b" in json.dumps(requests_of(script)[-1])
    assert json.loads(r.stdout)["result"] == "The bug is the minus sign."


def test_openai_provider_drives_the_same_loop(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    with FakeOpenAI([reply(None, [("write_file", {"path": "hello.txt", "content": "hi\n"})]),
                     reply("Wrote hello.txt")]) as srv:
        r = hame("-p", "write hello.txt", "--cwd", str(ws), "--model", "openai:m", "--base-url", srv.url,
                 "--api-key", "k", "--output-format", "json")
    assert r.returncode == 0, r.stderr
    assert (ws / "hello.txt").read_text() == "hi\n"
    out = json.loads(r.stdout)
    assert out["usage"]["input_tokens"] == 200 and out["result"] == "Wrote hello.txt"
    assert srv.requests[1]["messages"][-1]["role"] == "tool"


def test_dead_server_is_a_clear_error(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    r = hame("-p", "x", "--cwd", str(ws), "--model", "openai:m", "--base-url", "http://127.0.0.1:9/v1",
             "--api-key", "k", "--output-format", "json", timeout=120)
    assert r.returncode == 1 and "cannot reach the model server" in r.stderr and "Traceback" not in r.stderr


def test_repeated_identical_search_is_deduplicated(tmp_path: Path, hame) -> None:
    files = {f"m{i}.py": f"def function_number_{i}(argument):\n    return argument\n" for i in range(20)}
    ws = make_workspace(tmp_path / "ws", files)
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("search", pattern="def ")]},
        {"content": "", "tool_calls": [call("search", pattern="def ")]},
        {"content": "", "tool_calls": [call("write_file", path="m99.py", content="def extra():\n    pass\n")]},
        {"content": "", "tool_calls": [call("search", pattern="def ")]},
        {"content": "done"},
    ])
    assert hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}").returncode == 0
    results = [m["content"] for m in requests_of(script)[-1]["messages"] if m["role"] == "tool"]
    assert "function_number_7" in results[0]
    assert results[1].startswith("Same output as this identical call at step 1")
    assert "m99.py" in results[3]


def test_final_answer_after_failing_tests_is_questioned_once_but_not_after_other_commands(tmp_path: Path,
                                                                                        hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("run_shell", command="python -m pytest -q test_calc.py")]},
        {"content": "Done."},
        {"content": "Really done."},
    ])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--output-format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["result"] == "Really done."
    assert "Not done yet: your last command `python -m pytest -q test_calc.py` failed" in json.dumps(
        requests_of(script)[-1])
    other = write_script(tmp_path / "o.jsonl", [
        {"content": "", "tool_calls": [call("run_shell", command="grep nothing-here calc.py")]},
        {"content": "No match, fine."},
    ])
    r2 = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{other}", "--output-format", "json")
    assert r2.returncode == 0 and json.loads(r2.stdout)["result"] == "No match, fine."


def test_check_flag_runs_after_each_change_and_reports_to_the_model(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("write_file", path="calc.py", content="def add(a, b):\n    return 0\n")]},
        {"content": "", "tool_calls": [call("write_file", path="calc.py",
                                            content="def add(a, b):\n    return a + b\n")]},
        {"content": "Fixed."},
    ])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--check", "python -m pytest -q",
             "--output-format", "json")
    assert r.returncode == 0, r.stderr
    reqs = requests_of(script)
    second, third = json.dumps(reqs[1]), json.dumps(reqs[2])
    assert "hame ran the check `python -m pytest -q` after your change: exit code 1" in second
    assert "The check passes" in third


def test_whole_protocol_writes_fenced_files_and_corrects_unlabelled_blocks(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", CALC)
    script = write_script(tmp_path / "s.jsonl", [
        {"text": "Here it is:\n```python\ndef add(a, b):\n    return a + b\n```"},
        {"text": "calc.py\n```python\ndef add(a, b):\n    return a + b\n```"},
        {"text": "Fixed the sign."},
    ])
    r = hame("-p", "Fix calc.py", "--cwd", str(ws), "--model", f"scripted:{script}", "--tool-protocol", "whole",
             "--output-format", "json")
    assert r.returncode == 0, r.stderr
    assert (ws / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    reqs = requests_of(script)
    assert "calc.py\n```" in reqs[0]["messages"][0]["content"]  # the example path is the task's file
    assert "has no file path" in json.dumps(reqs[1]["messages"][-1])
