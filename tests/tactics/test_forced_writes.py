"""Forced writes (HAME_FORCE_WRITES): while the check fails and the files to change are known, each request holds
the reply to writing one of them — a llama.cpp grammar for one whole file (`whole` protocol), or a JSON schema of
one write_file call to one of them (`constrained`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.tools.fileblocks import file_block_grammar, file_blocks

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply

GREET = {"greet.py": "def greet(name):\n    return 'Hello ' + name\n",
         "test_greet.py": "from greet import greet\n\n\ndef test_greet():\n    assert greet('Bo') == 'Hello, Bo!'\n"}
CHECK = "python -m pytest -q test_greet.py"
TASK = "Fix greet.py so the tests in test_greet.py pass."
FIXED = "greet.py\n```python\ndef greet(name):\n    return f'Hello, {name}!'\n```"


def test_the_grammar_names_each_path_as_a_literal_and_ends_at_the_closing_fence() -> None:
    grammar = file_block_grammar(["greet.py", 'odd "name".py'])
    assert 'path ::= "greet.py" | "odd \\"name\\".py"' in grammar
    root, _, _, line = grammar.splitlines()
    assert root == 'root ::= path "\\n```" lang "\\n" line* "```" "\\n"? "\\n"?'  # nothing after the block
    assert line == 'line ::= ( [^`\\n] [^\\n]* )? "\\n"'  # no code line starts with a backtick
    with pytest.raises(ValueError, match="at least one path"):
        file_block_grammar([])


def test_while_the_check_fails_every_request_holds_the_reply_to_the_target_file(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    replies = [reply("greet.py\n```python\ndef greet(name):\n    return 'Hi ' + name\n```"), reply(FIXED)]
    r, srv = run_small_model(hame, tmp_path, ws, replies, TASK, "--check", CHECK, profile="tiny-local",
                             env={"HAME_FORCE_WRITES": "on"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stop_reason"] == "completed" and len(srv.requests) == 2
    grammars = [req.get("grammar") for req in srv.requests]
    assert grammars[0] == grammars[1] == file_block_grammar(["greet.py"])  # test_greet.py is not a target
    assert (ws / "greet.py").read_text() == file_blocks(FIXED)[0][0].content


def test_no_grammar_when_the_check_passes_or_the_switch_is_off(tmp_path: Path, hame) -> None:
    passing = {**GREET, "greet.py": "def greet(name):\n    return f'Hello, {name}!'\n"}
    ws = make_workspace(tmp_path / "ws", passing)
    r, srv = run_small_model(hame, tmp_path, ws, [reply("greet.py is already right.")], "Check greet.py.",
                             "--check", CHECK, profile="tiny-local", env={"HAME_FORCE_WRITES": "on"})
    assert r.returncode == 0, r.stderr
    assert "grammar" not in srv.requests[0]  # nothing fails: the model may answer in prose
    ws2 = make_workspace(tmp_path / "ws2", GREET)
    r, srv = run_small_model(hame, tmp_path, ws2, [reply(FIXED)], TASK, "--check", CHECK, profile="tiny-local")
    assert r.returncode == 0, r.stderr
    assert "grammar" not in srv.requests[0]  # off unless switched on


def test_a_bad_switch_value_is_a_clear_error(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    r, srv = run_small_model(hame, tmp_path, ws, [reply(FIXED)], TASK, profile="tiny-local",
                             env={"HAME_FORCE_WRITES": "maybe"})
    assert r.returncode != 0 and "HAME_FORCE_WRITES='maybe': use on or off" in r.stderr and not srv.requests


def test_constrained_replies_may_only_write_a_target_while_the_check_fails(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    fixed = {"name": "write_file", "arguments": {"path": "greet.py",
                                                  "content": "def greet(name):\n    return f'Hello, {name}!'\n"}}
    r, srv = run_small_model(hame, tmp_path, ws, [reply(json.dumps(fixed))], TASK, "--check", CHECK,
                             env={"HAME_FORCE_WRITES": "on"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stop_reason"] == "completed"
    schema = srv.requests[0]["response_format"]["json_schema"]["schema"]
    (only,) = schema["anyOf"]  # no other tool, no final answer
    assert only["properties"]["name"] == {"const": "write_file"}
    assert only["properties"]["arguments"]["properties"]["path"] == {"type": "string", "enum": ["greet.py"]}
    assert "content" in only["properties"]["arguments"]["required"]
