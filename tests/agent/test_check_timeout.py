"""A check stuck in the model's endless loop is killed after a time the check's own run before any change sets,
not after the 300 s default, and the model is told why."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hame.agent import autocheck
from hame.agent.autocheck import run_check, stuck_after
from hame.agent.loop import Agent, LoopConfig
from hame.agent.protocol import ToolProtocol
from hame.providers.scripted import ScriptedModel
from hame.tools import default_tools
from hame.tools.base import ToolContext


def test_the_timeout_follows_the_check_before_any_change() -> None:
    assert stuck_after(0.4) == 60  # a quick suite: a minute at least
    assert stuck_after(20) == 100  # 5x a slower one
    assert stuck_after(200) == 300  # never above the default


def test_a_check_killed_at_its_timeout_says_why(tmp_path: Path) -> None:
    check = run_check(f"{sys.executable} -c 'while True: pass'", ToolContext(workspace=tmp_path), timeout=1)
    assert not check.passed and "killed after 1s: does the code loop forever?" in check.report
    assert 1 <= check.seconds < 30


def test_an_endless_loop_in_the_models_code_costs_a_short_check_not_300_s(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(autocheck, "STUCK_FLOOR", 4)
    monkeypatch.setattr(autocheck, "STUCK_FACTOR", 0)  # the floor decides, however slow this machine is
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "m.py").write_text("def f():\n    return 0\n")
    (ws / "test_m.py").write_text("from m import f\n\n\ndef test_f():\n    assert f() == 1\n")
    turns = [{"tool_calls": [{"name": "write_file", "arguments": {"path": "m.py", "content": content}}]}
             for content in ("def f():\n    while True:\n        pass\n", "def f():\n    while 1:\n        pass\n",
                             "def f():\n    while 2:\n        pass\n", "def f():\n    return 1\n")]
    script = tmp_path / "script.jsonl"
    script.write_text("".join(json.dumps(t) + "\n" for t in turns))
    tools = default_tools(())
    config = LoopConfig(max_steps=5, check_command=f"{sys.executable} -m pytest -q -p no:cacheprovider test_m.py",
                        tactics=("restarts", "early_stop"))
    agent = Agent(ScriptedModel(str(script)), tools, ToolContext(workspace=ws), lambda _e: None,
                  ToolProtocol("native", tools), config)
    result = agent.run("make test_m.py pass")
    assert result.stop_reason == "completed", result.error
    assert (ws / "m.py").read_text() == "def f():\n    return 1\n"
    checker = agent.state.checker
    assert checker is not None and checker.timeout == 8  # killed: doubled, in case the suite is only slow — once
    requests = [json.loads(line) for line in Path(f"{script}.requests.jsonl").read_text().splitlines()]
    seen = [json.dumps(r["messages"]) for r in requests]
    assert len(requests) == 4 and "killed after 4s: does the code loop forever?" in seen[1]
    assert "killed after 8s" in seen[2] and "killed after 8s" in seen[3]
