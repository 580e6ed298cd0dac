"""Behaviour kept byte for byte: scripted scenarios that exercise every weak-model tactic through the real CLI
and a fake OpenAI server, compared with requests and outcomes recorded before the tactics moved behind one seam.

What is compared, per scenario (tests/data/golden/NAME.json): every request body the server received (messages,
temperature, grammar, response_format, tools, ...), the run's result, stop reason and steps, the files it left,
and the notices it emitted. Only what varies from run to run is normalised: the temporary workspace path, pytest's
timings ("in 0.12s"), the workspace's commit hash, object addresses, tool-call ids and session ids. Set
HAME_GOLDEN_RECORD=1 to write the files anew (only on unchanged behaviour: the point is that they never change)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply
from .test_restarts import NEAR, SHOP
from .test_watches import FILES as HOUSE
from .test_watches import TASK as HOUSE_TASK
from .test_watches import VERSES

GOLDEN = Path(__file__).parent.parent / "data" / "golden"
RECORD = os.environ.get("HAME_GOLDEN_RECORD") == "1"

GREET = {"greet.py": "def greet(name):\n    return 'Hello ' + name\n",
         "test_greet.py": "from greet import greet\n\n\ndef test_greet():\n    assert greet('Bo') == 'Hello, Bo!'\n"}
GREET_CHECK = "python -m pytest -q test_greet.py"
GREET_TASK = "Fix greet.py so the tests in test_greet.py pass."
FIXED = "def greet(name):\n    return f'Hello, {name}!'\n"
TESTS = ("import unittest\n\nfrom greet import greet\n\n\nclass GreetTest(unittest.TestCase):\n"
         "    def test_greets_bo(self):\n        self.assertEqual(greet('Bo'), 'Hello, Bo!')\n\n"
         "    def test_greets_al(self):\n        self.assertEqual(greet('Al'), 'Hello, Al!')\n\n"
         "    def test_greets_empty(self):\n        self.assertEqual(greet(''), 'Hello, !')\n")
UNIT = {"greet.py": "def greet(name):\n    pass\n", "greet_test.py": TESTS}
UNIT_CHECK = "python -m pytest -q greet_test.py"
UNIT_TASK = "Make the tests in greet_test.py pass by changing greet.py."
LOOPING = '{"name": "write_file", "arguments": {"path": "greet.py", "content": "ok = (' + "x == 1 or " * 400


def write(path: str, content: str) -> dict[str, Any]:
    return reply(json.dumps({"name": "write_file", "arguments": {"path": path, "content": content}}))


def answer(text: str) -> dict[str, Any]:
    return reply(json.dumps({"name": "final_answer", "arguments": {"text": text}}))


def greet_v(i: int) -> dict[str, Any]:
    return write("greet.py", f"def greet(name):\n    return 'Hi{i}, ' + name\n")


# name: (files, replies, task, flags, profile, env); env None keeps run_small_model's (plain retries off)
SCENARIOS: dict[str, tuple[dict[str, str], list[dict[str, Any]], str, list[str], str, dict[str, str] | None]] = {
    "restarts": (GREET, [greet_v(1), greet_v(2), answer("done"), write("greet.py", FIXED)], GREET_TASK,
                 ["--check", GREET_CHECK], "small-local", None),
    "plain_retries": (GREET, [greet_v(1), greet_v(2), greet_v(2), write("greet.py", FIXED)], GREET_TASK,
                      ["--check", GREET_CHECK], "small-local", {"HAME_PLAIN_RETRIES": ""}),
    "answer_before_change": (GREET, [answer("greet.py looks right"), write("greet.py", FIXED)], GREET_TASK,
                             ["--check", GREET_CHECK], "small-local", None),
    "passing_from_start": ({**GREET, "greet.py": FIXED},
                           [write("greet.py", "def greet(name):\n    return 'Hello, ' + name + '!'\n"),
                            answer("simplified greet")], "Simplify greet.py.", ["--check", GREET_CHECK],
                           "small-local", None),
    "degenerate_then_length": (GREET, [reply(LOOPING), reply(json.dumps({"name": "write_file", "arguments": {
        "path": "greet.py", "content": FIXED + "\n\ndef helper(x):\n    return [x, x, x"}})[:-12],
                                                             finish_reason="length"),
        write("greet.py", FIXED)], GREET_TASK, ["--check", GREET_CHECK], "small-local", None),
    "unusable_in_a_row": (GREET, [reply("```\ngreet.py\n```\n```")] * 4 + [
        reply(f"greet.py\n```python\n{FIXED}```\n")], GREET_TASK, ["--check", GREET_CHECK, "--tool-protocol",
                                                                   "whole"], "small-local", None),
    "resample": (GREET, [write("test_greet.py", "x = 1\n")] * 5 + [write("greet.py", FIXED)], GREET_TASK,
                 ["--check", GREET_CHECK], "small-local", None),
    "copy_refused": (UNIT, [write("greet.py", TESTS.split("    def test_greets_al")[0]), write("greet.py", FIXED)],
                     UNIT_TASK, ["--check", UNIT_CHECK], "small-local", None),
    "copy_cut": (UNIT, [write("greet.py", TESTS + "\n\n" + TESTS.replace("class GreetTest", "class MoreTests")
                              + "\n\nunittest.main()\n"), write("greet.py", FIXED)],
                 UNIT_TASK, ["--check", UNIT_CHECK], "small-local", None),
    "copy_cut_salvage": (UNIT, [write("greet.py", FIXED + "\n\n" + TESTS + "\n\n" + TESTS.replace(
        "class GreetTest", "class MoreTests") + "\nunittest.main()\n")], UNIT_TASK, ["--check", UNIT_CHECK],
                         "small-local", None),
    "copy_whole_salvage": (UNIT, [reply("greet.py\n```python\nimport unittest\n\n" + FIXED + "\n\n"
                                        + TESTS.split("    def test_greets_al")[0] + "```\n")],
                           UNIT_TASK, ["--check", UNIT_CHECK, "--tool-protocol", "whole"], "small-local", None),
    "copy_closed_writes": (UNIT, [reply(f"greet.py\n```python\n{FIXED}```\n\ngreet_test.py\n```python\n"
                                        f"{TESTS * 3}```\n")],
                           UNIT_TASK, ["--check", UNIT_CHECK, "--tool-protocol", "whole"], "small-local", None),
    "focus": (SHOP, [reply(f"shop.py\n```python\n{NEAR}```\n"),
                     reply("shop.py\n```python\n" + NEAR.replace(
                         "sum(self.items) + 1", "sum(self.items) + (1 if self.items else 0)") + "```\n"),
                     reply("shop.py\n```python\nclass Cart:\n    def total(self):\n"
                           "        return sum(self.items)\n```\n")],
              "Change shop.py so test_shop.py passes.", ["--check", "python -m pytest -q test_shop.py",
                                                          "--tool-protocol", "whole"], "small-local",
              {"HAME_PLAIN_RETRIES": "0", "HAME_FOCUS_REPAIR": "on"}),
    "forced_whole": (GREET, [reply("greet.py\n```python\ndef greet(name):\n    return 'Hi ' + name\n```"),
                             reply(f"greet.py\n```python\n{FIXED}```")], GREET_TASK, ["--check", GREET_CHECK],
                     "tiny-local", {"HAME_PLAIN_RETRIES": "0", "HAME_FORCE_WRITES": "on"}),
    "forced_constrained": (GREET, [greet_v(1), write("greet.py", FIXED)], GREET_TASK, ["--check", GREET_CHECK],
                           "small-local", {"HAME_PLAIN_RETRIES": "0", "HAME_FORCE_WRITES": "on"}),
    "echo": (HOUSE, [reply("To change house.py so that the tests pass, recite:\n\n" + "\n".join(VERSES * 6)
                           + "\n\nChange house.py."),
                     reply("house.py\n```\ndef recite():\n    return \"\"\"" + "\n".join(VERSES)
                           + "\"\"\".splitlines()\n```\n")], HOUSE_TASK,
             ["--check", "python -m pytest -q house_test.py"],
             "tiny-local", None),
    "error_hints": (GREET, [write("greet.py", "def greet(name):\n    return undefined_name\n"),
                            write("greet.py", FIXED)], GREET_TASK, ["--check", GREET_CHECK], "small-local",
                    {"HAME_PLAIN_RETRIES": "0", "HAME_ERROR_HINTS": "on"}),
    "write_repairs": (GREET, [write("greet.py", "def greet(name):\n    return re.sub('x', 'x', f'Hello, {name}!')\n"
                                    "</tool_response>\n")], GREET_TASK,
                      ["--check", GREET_CHECK], "small-local", None),
    "steering": (GREET, [reply(None, calls=[("read_file", {"path": "missing.py"})])] * 3
                 + [reply(None, calls=[("run_shell", {"command": GREET_CHECK})]), reply("gave up"), reply("done")],
                 GREET_TASK, [], "default", None),
    "frontier_default": (GREET, [reply(None, calls=[("run_shell", {"command": GREET_CHECK})]),
                                 reply(None, calls=[("write_file", {"path": "greet.py", "content": FIXED})]),
                                 reply(None, calls=[("run_shell", {"command": GREET_CHECK})]), reply("done")],
                         GREET_TASK, [], "default", None),
}


def normalise(text: str, ws: Path) -> str:
    text = text.replace(str(ws), "<WS>")
    text = re.sub(r"\bin \d+\.\d+s\b", "in <T>s", text)  # pytest's timings
    text = re.sub(r"\\n[0-9a-f]{7,12} init\\n", r"\\n<SHA> init\\n", text)  # the workspace's commit
    text = re.sub(r" at 0x[0-9a-f]+>", " at 0x<ADDR>>", text)  # object addresses in pytest's output
    text = re.sub(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<UUID>", text)
    return re.sub(r'"(call_|toolu_)?[A-Za-z0-9]{24,}"', '"<ID>"', text)


def workspace_files(ws: Path) -> dict[str, str]:
    skip = {".git", "__pycache__", ".pytest_cache"}
    return {p.relative_to(ws).as_posix(): p.read_text() for p in sorted(ws.rglob("*"))
            if p.is_file() and not skip & set(p.parts)}


def observed(name: str, tmp_path: Path, hame) -> tuple[str, Path]:
    files, replies, task, flags, profile, env = SCENARIOS[name]
    ws = make_workspace(tmp_path / "ws", files)
    r, srv = run_small_model(hame, tmp_path, ws, replies, task, *flags, profile=profile, env=env)
    out = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {"stdout": r.stdout}
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()] \
        if out.get("transcript") else []
    got = {"exit": r.returncode, "result": out.get("result"), "stop_reason": out.get("stop_reason"),
           "steps": out.get("steps"), "files": workspace_files(ws),
           "notices": [rec["text"] for rec in records if rec["type"] == "notice"],
           "requests": srv.requests}
    return normalise(json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False), ws) + "\n", ws


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_requests_and_outcome_match_the_recording(name: str, tmp_path: Path, hame) -> None:
    got, _ = observed(name, tmp_path, hame)
    path = GOLDEN / f"{name}.json"
    if RECORD:
        path.write_text(got)
    assert path.exists(), f"no recording for {name}: run with HAME_GOLDEN_RECORD=1 on unchanged code"
    assert got == path.read_text(), f"{name}: the model saw something else than recorded"
