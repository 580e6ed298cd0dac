"""Two ways a small model's write goes wrong that hame stops before the file is touched: a reply cut off at the
output limit (its call would write a truncated file), and the test file copied into the code file."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply

TESTS = ("import unittest\n\nfrom greet import greet\n\n\nclass GreetTest(unittest.TestCase):\n"
         "    def test_greets_bo(self):\n        self.assertEqual(greet('Bo'), 'Hello, Bo!')\n\n"
         "    def test_greets_al(self):\n        self.assertEqual(greet('Al'), 'Hello, Al!')\n\n"
         "    def test_greets_empty(self):\n        self.assertEqual(greet(''), 'Hello, !')\n")
FILES = {"greet.py": "def greet(name):\n    pass\n", "greet_test.py": TESTS}
CHECK = "python -m pytest -q greet_test.py"
FIXED = "def greet(name):\n    return f'Hello, {name}!'\n"
PROMPT = "Make the tests in greet_test.py pass by changing greet.py."


def call(path: str, content: str) -> str:
    return json.dumps({"name": "write_file", "arguments": {"path": path, "content": content}})


def writes(out: dict) -> list[str]:
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]
    return [r["arguments"]["content"] for r in records if r["type"] == "tool_call" and r["name"] == "write_file"]


def test_a_call_cut_off_at_the_output_limit_writes_nothing_and_starts_afresh(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    cut = call("greet.py", FIXED + "\n\ndef helper(x):\n    return [x, x, x")[:-12]  # the JSON is not closed
    replies = [reply(cut, finish_reason="length"), reply(call("greet.py", FIXED))]
    r, srv = run_small_model(hame, tmp_path, ws, replies, PROMPT, "--check", CHECK)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and (ws / "greet.py").read_text() == FIXED
    assert writes(out) == [FIXED]  # the cut-off call never ran
    second = json.dumps(srv.requests[1]["messages"])
    assert "cut off at the output limit" in second  # told why, in the fresh attempt's note
    assert srv.requests[1]["temperature"] > srv.requests[0]["temperature"]


def test_the_test_file_copied_into_the_code_file_is_refused(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    part = TESTS.split("    def test_greets_al")[0]  # 5 lines of the tests: too few to cut while streaming
    replies = [reply(call("greet.py", part)), reply(call("greet.py", FIXED))]
    r, srv = run_small_model(hame, tmp_path, ws, replies, PROMPT, "--check", CHECK)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and (ws / "greet.py").read_text() == FIXED
    refusal = srv.requests[1]["messages"][-1]["content"]
    assert "copied from the test file greet_test.py" in refusal and "Write that code to greet.py" in refusal


def test_a_reply_copying_the_tests_is_cut_while_it_streams(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    copy = TESTS + "\n\n" + TESTS.replace("class GreetTest", "class MoreTests") + "\n\nunittest.main()\n"
    replies = [reply(call("greet.py", copy)),  # streamed in 3 pieces: the watch sees the first two
               reply(call("greet.py", FIXED))]
    r, srv = run_small_model(hame, tmp_path, ws, replies, PROMPT, "--check", CHECK)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and writes(out) == [FIXED]  # the copy was never written
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]
    turns = [rec for rec in records if rec["type"] == "assistant"]
    assert turns[0]["finish_reason"] == "copying_tests" and "unittest.main()" not in turns[0]["text"]  # cut early
    cut, whole = turns[0]["usage"], turns[1]["usage"]  # a cut stream reports no usage: estimated, and marked so
    assert cut["estimated_input_tokens"] == cut["input_tokens"] > 0 and cut["output_tokens"] > 0
    assert whole == {"input_tokens": 100, "output_tokens": 10, "cached_tokens": 0}  # the server's own counts
    second = srv.requests[1]["messages"]
    assert len(second) == 3 and "copying the test file" in second[2]["content"]  # a fresh start, told why


def test_code_that_uses_the_same_names_as_the_tests_is_not_a_copy(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    code = ("import unittest\n\n\ndef greet(name):\n    # 'Hello, Bo!' for greet('Bo'), like the tests say\n"
            "    greeting = 'Hello, ' + name + '!'\n    return greeting\n\n\nclass GreetTest(unittest.TestCase):\n"
            "    pass\n")
    r, srv = run_small_model(hame, tmp_path, ws, [reply(call("greet.py", code))], PROMPT, "--check", CHECK)
    assert r.returncode == 0, r.stderr
    assert (ws / "greet.py").read_text() == code and json.loads(r.stdout)["stop_reason"] == "completed"


def test_the_copy_watch_reads_fenced_and_json_replies_and_spares_real_code(tmp_path: Path) -> None:
    from hame.tactics.protect_tests import copy_watch

    ws = make_workspace(tmp_path / "ws", FILES, git=False)
    copying = copy_watch(["greet.py"], ws)
    assert copying is not None
    assert copying(f"greet.py\n```python\n{TESTS}```")  # whole protocol
    assert copying(call("greet.py", TESTS))  # constrained: the content is a JSON string
    assert not copying(f"greet.py\n```python\n{TESTS.split('    def test_greets_al')[0]}")  # 5 lines: too early
    real = "import unittest\n\nfrom greet import greet\n\n\ndef greet(name):\n    return f'Hello, {name}!'\n"
    assert not copying(call("greet.py", real * 3))  # copied imports, 6 of 12 lines: under 8
    assert copy_watch(["greet_test.py"], ws) is None and copy_watch(["other/none.py"], ws) is None



def test_the_copy_watch_judges_the_block_being_written(tmp_path: Path) -> None:
    from hame.tactics.protect_tests import copy_watch

    ws = make_workspace(tmp_path / "ws", FILES, git=False)
    copying = copy_watch(["greet.py"], ws)
    assert copying is not None
    code = "".join(f"def greet_{i}(name):\n    return 'Hello number {i}, ' + name\n\n" for i in range(12))
    copy = TESTS + TESTS.replace("class GreetTest", "class MoreTests")  # 16 long lines of the tests
    assert not copying(f"greet.py\n```python\n{code}{copy}")  # one block: 16 of its 40 long lines are copied
    assert copying(f"greet.py\n```python\n{code}```\n\n```python\n{copy}")  # a second block that is a copy
    assert copying(f"greet.py\n```python\n{FIXED}```\n\ngreet_test.py\n```python\nimport")  # labelled a test
    assert not copying(f"greet.py\n```python\n{FIXED}```\n\ngreet_test.py\n")  # no block begun yet


def test_verses_the_tests_also_expect_are_code_not_a_copy(tmp_path: Path) -> None:
    from hame.tactics.protect_tests import copied_tests, copy_watch

    verses = [f"This is verse number {i} of the song that never ends." for i in range(12)]
    tests = ("import unittest\n\nfrom song import recite\n\n\nclass SongTest(unittest.TestCase):\n" + "".join(
        f"    def test_verse_{i}(self):\n        self.assertEqual(\n            recite({i}, {i}),\n"
        f"            [\n                \"{v}\",\n            ],\n        )\n\n" for i, v in enumerate(verses)))
    ws = make_workspace(tmp_path / "ws", {"song.py": "def recite(start, end):\n    pass\n", "song_test.py": tests},
                        git=False)
    code = ("VERSES = [\n" + "".join(f'    "{v}",\n' for v in verses) + "]\n\n\ndef recite(start, end):\n"
            "    return VERSES[start:end + 1]\n")  # 12 of its 14 long lines are lines of the tests
    copying = copy_watch(["song.py"], ws)
    assert copying is not None and not copying(f"song.py\n```\n{code}```")
    assert copied_tests("song.py", code, ws) is None
    assert copying(f"song.py\n```\n{tests}```") and copied_tests("song.py", tests, ws)  # a real copy still is


def test_a_solution_written_before_a_copy_of_the_tests_is_kept_when_the_copy_is_cut(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    copy = FIXED + "\n\n" + TESTS + "\n\n" + TESTS.replace("class GreetTest", "class MoreTests") + "\nunittest.main()\n"
    r, srv = run_small_model(hame, tmp_path, ws, [reply(call("greet.py", copy))], PROMPT, "--check", CHECK)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and (ws / "greet.py").read_text() == FIXED  # one call, no retry
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]
    assert [rec["finish_reason"] for rec in records if rec["type"] == "assistant"] == ["copying_tests"]
    notes = [rec["text"] for rec in records if rec["type"] == "notice"]
    assert any("the code it wrote before them is kept" in n and "class GreetTest" in n for n in notes)
    assert len(srv.requests) == 1


def test_a_whole_file_block_holding_the_solution_and_the_tests_is_written_without_the_tests(tmp_path: Path,
                                                                                              hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    part = "import unittest\n\n" + FIXED + "\n\n" + TESTS.split("    def test_greets_al")[0]  # too short to cut
    r, srv = run_small_model(hame, tmp_path, ws, [reply(f"greet.py\n```python\n{part}```\n")], PROMPT,
                             "--check", CHECK, "--tool-protocol", "whole")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stop_reason"] == "completed" and (ws / "greet.py").read_text() == FIXED
    records = [json.loads(line) for line in Path(json.loads(r.stdout)["transcript"]).read_text().splitlines()]
    result = next(rec["output"] for rec in records if rec["type"] == "tool_result")
    assert "hame dropped the test code you copied into greet.py (class GreetTest, the test imports)" in result



def test_a_whole_file_written_before_the_reply_begins_the_test_file_is_kept(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    text = f"greet.py\n```python\n{FIXED}```\n\ngreet_test.py\n```python\n{TESTS * 3}```\n"  # streamed in 3 pieces
    r, srv = run_small_model(hame, tmp_path, ws, [reply(text)], PROMPT, "--check", CHECK, "--tool-protocol", "whole")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and (ws / "greet.py").read_text() == FIXED  # one reply, no retry
    assert (ws / "greet_test.py").read_text() == TESTS and len(srv.requests) == 1
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]
    turn = next(rec for rec in records if rec["type"] == "assistant")
    assert turn["finish_reason"] == "copying_tests" and turn["text"].count("class GreetTest") < 3  # cut early
    notes = [rec["text"] for rec in records if rec["type"] == "notice"]
    assert any("what it wrote whole before is kept: greet.py" in n for n in notes)
