"""Fresh attempts after a failed check: the history is cut back to the task (plus the last attempt, or a note of
what failed), the temperature rises at each fresh start, and a resumed session sees the cut history."""

from __future__ import annotations

import json
from pathlib import Path

from hame import messages as msg
from hame.tactics.restarts import Restarts

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply

GREET = {"greet.py": "def greet(name):\n    return 'Hello ' + name\n",
         "test_greet.py": "from greet import greet\n\n\ndef test_greet():\n    assert greet('Bo') == 'Hello, Bo!'\n"}
CHECK = "python -m pytest -q test_greet.py"
QUICK_CHECK = "python -c \"from greet import greet; assert greet('Bo') == 'Hello, Bo!'\""


def write(content: str) -> dict:
    return reply(json.dumps({"name": "write_file", "arguments": {"path": "greet.py", "content": content}}))


def test_fresh_after_every_failure_by_default() -> None:
    r = Restarts()
    task = msg.user("fix greet.py")
    history = [msg.system("sys"), task, msg.assistant("write 1"), msg.user("check failed: AssertionError 1")]
    r.failed("check failed: AssertionError 1")
    fresh = r.rebuild(history, task)
    assert fresh is not None and fresh[:2] == [history[0], task] and len(fresh) == 3 and r.kind == "fresh"
    assert "AssertionError 1" in fresh[2]["content"] and "write 1" not in fresh[2]["content"]
    assert r.temperature(0.2) == 0.5
    r.failed("check failed: AssertionError 2")
    again = r.rebuild([*fresh, msg.assistant("write 2"), msg.user("check failed: AssertionError 2")], task)
    assert again is not None and len(again) == 3 and "AssertionError 2" in again[2]["content"]
    assert r.temperature(0.2) == 0.6


def test_plain_retries_resend_the_first_request_before_any_noted_restart() -> None:
    r = Restarts(plain=2, max_restarts=1)
    task = msg.user("fix greet.py")
    history = [msg.system("sys"), task, msg.assistant("write 1"), msg.user("check failed: AssertionError 1")]
    r.failed("check failed: AssertionError 1")
    assert r.rebuild(history, task) == [history[0], task] and r.kind == "plain"  # byte for byte the first request
    assert r.temperature(0.2) == 0.3
    r.failed("check failed: AssertionError 2")
    assert r.rebuild([*history[:2], msg.assistant("write 2"), msg.user("failed")], task) == [history[0], task]
    assert r.temperature(0.2) == 0.4 and r.left()
    r.failed("check failed: AssertionError 3")  # plain retries spent: the noted restarts follow
    noted = r.rebuild([*history[:2], msg.assistant("write 3"), msg.user("failed")], task)
    assert noted is not None and r.kind == "fresh" and "AssertionError 3" in noted[2]["content"]
    assert r.temperature(0.2) == 0.5 and not r.left()  # 2 plain + 1 noted


def test_a_plain_retry_that_writes_what_already_failed_ends_the_plain_retries() -> None:
    r = Restarts(plain=5)
    task = msg.user("fix greet.py")
    history = [msg.system("sys"), task, msg.assistant("write A"), msg.user("check failed")]
    r.failed("check failed", change="A")
    assert r.rebuild(history, task) == [history[0], task] and r.kind == "plain"
    r.failed("check failed: the same", change="A")  # the same sample again: a note is needed to move it
    noted = r.rebuild(history, task)
    assert noted is not None and r.kind == "fresh" and "the same" in noted[2]["content"] and r.temperature(0.2) == 0.5


def test_repair_then_fresh_then_done() -> None:
    r = Restarts(repair=True)
    task = msg.user("fix greet.py")
    history = [msg.system("sys"), task, msg.assistant("list"), msg.user("files"), msg.assistant("write 1"),
               msg.user("check failed: AssertionError 1")]
    assert r.rebuild(history, task) is None  # nothing failed yet
    r.failed("check failed: AssertionError 1")
    repair = r.rebuild(history, task)
    assert repair == [history[0], task, history[4], history[5]] and r.kind == "repair"
    assert r.temperature(0.2) == 0.5
    r.failed("check failed: AssertionError 2")
    fresh = r.rebuild([*repair, msg.assistant("write 2"), msg.user("check failed: AssertionError 2")], task)
    assert fresh is not None and fresh[:2] == [history[0], task] and len(fresh) == 3 and r.kind == "fresh"
    assert "AssertionError 2" in fresh[2]["content"] and "AssertionError 1" not in fresh[2]["content"]
    assert r.temperature(0.2) == 0.6
    r.failed("x", fresh=True)  # a final answer while the check fails: straight to a fresh start
    assert r.failures == 4 and r.temperature(0.2) == 0.8
    assert r.temperature(0.9) == 0.9  # never below the profile's
    r.passed()
    assert r.rebuild(fresh, task) is None


def test_writing_what_already_failed_goes_straight_to_a_fresh_start() -> None:
    r = Restarts(repair=True)
    task = msg.user("t")
    r.failed("failed", change="A")
    assert r.rebuild([msg.system("s"), task, msg.assistant("A"), msg.user("failed")], task) is not None
    assert r.kind == "repair"
    r.failed("failed", change="B")
    r.rebuild([msg.system("s"), task, msg.assistant("B"), msg.user("failed")], task)
    assert r.kind == "fresh" and r.failures == 2
    r.failed("failed", change="A")  # the same code as the first failure: no repair of it
    r.rebuild([msg.system("s"), task, msg.user("note"), msg.assistant("A"), msg.user("failed")], task)
    assert r.kind == "fresh" and r.failures == 4


def test_no_restart_past_the_limit_or_without_the_task() -> None:
    r = Restarts(max_restarts=1)
    task = msg.user("t")
    r.failed("a")
    assert r.rebuild([msg.system("s"), msg.user("other")], task) is None  # the task is not in this history
    r.failed("b")
    assert r.rebuild([msg.system("s"), task, msg.assistant("w"), msg.user("failed")], task) is None


def test_small_model_profile_restarts_from_the_task_after_failed_checks(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    replies = [write("def greet(name):\n    return 'Hi ' + name\n"),  # fails: a fresh start from the task
               write("def greet(name):\n    return 'Hey ' + name\n"),  # fails again: another
               reply(json.dumps({"name": "final_answer", "arguments": {"text": "done"}})),  # while failing: fresh
               write("def greet(name):\n    return f'Hello, {name}!'\n")]  # passes: the run ends
    r, srv = run_small_model(hame, tmp_path, ws,
                             replies, "Fix greet.py so the tests in test_greet.py pass.", "--check", CHECK)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and len(srv.requests) == 4  # no model call after the check passed
    assert out["result"] == f"Changed greet.py; the check `{CHECK}` passes."
    assert (ws / "greet.py").read_text() == "def greet(name):\n    return f'Hello, {name}!'\n"
    sent = [req["messages"] for req in srv.requests]
    task = sent[0][1]
    assert all(m[1] == task for m in sent), "every request starts with the same prefix: system prompt, task"
    assert len(sent[1]) == 3 and "return 'Hi '" not in sent[1][2]["content"]
    assert "greet('Bo') returned 'Hi Bo'; the test expects 'Hello, Bo!'" in sent[1][2]["content"]  # concrete
    assert len(sent[2]) == 3 and "return 'Hey '" not in sent[2][2]["content"] and "set aside" in sent[2][2]["content"]
    assert len(sent[3]) == 3 and "set aside" in sent[3][2]["content"]
    temps = [req.get("temperature") for req in srv.requests]
    assert temps == [0.2, 0.5, 0.6, 0.7]  # up after each failure
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]
    cuts = [rec for rec in records if rec["type"] == "compaction" and rec["tier"] == "restart"]
    assert len(cuts) == 3 and cuts[-1]["messages"] == sent[3]
    assert [rec["text"] for rec in records if rec["type"] == "notice" and "restarting" in rec["text"]]
    exported = json.loads(hame("export", out["transcript"], "--format", "openai").stdout)
    seen = [(m["role"], m["content"]) for m in exported["messages"]]
    assert seen[:len(sent[3])] == [(m["role"], m["content"]) for m in sent[3]]  # the last attempt, as the model saw it
    assert "The check passes" in exported["messages"][-1]["content"] and len(exported["messages"]) == len(sent[3]) + 2


def test_a_later_request_keeps_the_first_task_and_drops_the_turns_between() -> None:
    r = Restarts(repair=True)
    first, retry = msg.user("the task, files attached"), msg.user("the check still fails: ...")
    history = [msg.system("s"), first, msg.assistant("write 1"), msg.user("failed 1"), msg.assistant("done"),
               retry, msg.assistant("write 2"), msg.user("failed 2")]
    r.failed("failed 2")
    assert r.rebuild(history, retry) == [history[0], first, retry, history[6], history[7]]
    r.failed("failed 3")
    fresh = r.rebuild([*history, msg.assistant("write 3"), msg.user("failed 3")], retry)
    assert fresh is not None and fresh[:3] == [history[0], first, retry] and "failed 3" in fresh[3]["content"]


def test_a_degenerate_reply_starts_a_fresh_attempt_at_a_higher_temperature(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    looping = '{"name": "write_file", "arguments": {"path": "greet.py", "content": "ok = (' + "x == 1 or " * 400
    replies = [reply(looping), write("def greet(name):\n    return f'Hello, {name}!'\n"),
               reply(json.dumps({"name": "final_answer", "arguments": {"text": "done"}}))]
    r, srv = run_small_model(hame, tmp_path, ws,
                             replies, "Fix greet.py so the tests in test_greet.py pass.", "--check", CHECK)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stop_reason"] == "completed"
    second = srv.requests[1]
    assert len(second["messages"]) == 3 and "x == 1 or x == 1" not in json.dumps(second["messages"])
    assert "repeating the same text" in second["messages"][2]["content"] and second["temperature"] == 0.5


def test_unusable_replies_in_a_row_start_a_fresh_attempt_instead_of_ending_the_run(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    broken = reply("```\ngreet.py\n```\n```")  # the 1.5B at temperature 1.0: an empty block, never closed
    fixed = reply("greet.py\n```python\ndef greet(name):\n    return f'Hello, {name}!'\n```\n")
    r, srv = run_small_model(hame, tmp_path, ws, [broken] * 4 + [fixed], "Fix greet.py so test_greet.py passes.",
                             "--check", CHECK, "--tool-protocol", "whole")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stop_reason"] == "completed" and len(srv.requests) == 5
    assert [len(req["messages"]) for req in srv.requests] == [2, 4, 6, 8, 3]  # the fifth starts afresh
    assert "was not closed" in srv.requests[4]["messages"][2]["content"]
    assert "unusable replies in a row: starting a fresh attempt" in r.stderr


def test_once_the_restarts_are_spent_cut_replies_count_toward_the_format_error_stop(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    looping = '{"name": "write_file", "arguments": {"path": "greet.py", "content": "ok = (' + "x == 1 or " * 400
    wrong = [write(f"def greet(name):\n    return 'Hi {i} ' + name\n") for i in range(20)]  # 20 restarts
    # a plain assert, not pytest: the check runs 21 times here, and pytest's start-up would be most of the run
    r, srv = run_small_model(hame, tmp_path, ws, [*wrong, *[reply(looping)] * 4, write("unreached = 1\n")],
                             "Fix greet.py so the tests in test_greet.py pass.", "--check", QUICK_CHECK, timeout=240)
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "error" and len(srv.requests) == 24  # 20 writes, then 4 cut replies in a row


def test_the_check_runs_first_and_an_answer_before_any_change_restarts(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", GREET)
    replies = [reply(json.dumps({"name": "final_answer", "arguments": {"text": "greet.py looks right"}})),
               write("def greet(name):\n    return f'Hello, {name}!'\n")]
    r, srv = run_small_model(hame, tmp_path, ws,
                             replies, "Fix greet.py so the tests in test_greet.py pass.", "--check", CHECK)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stop_reason"] == "completed" and len(srv.requests) == 2
    second = srv.requests[1]["messages"]
    assert len(second) == 3 and "set aside" in second[2]["content"] and "AssertionError" in second[2]["content"]


def test_a_check_that_passes_from_the_start_does_not_end_the_run_at_the_first_change(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {**GREET, "greet.py": "def greet(name):\n    return f'Hello, {name}!'\n"})
    replies = [write("def greet(name):\n    return 'Hello, ' + name + '!'\n"),
               reply(json.dumps({"name": "final_answer", "arguments": {"text": "simplified greet"}}))]
    r, srv = run_small_model(hame, tmp_path, ws, replies, "Simplify greet.py.", "--check", CHECK)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["result"] == "simplified greet" and len(srv.requests) == 2


SHOP = {"shop.py": "class Cart:\n    def __init__(self):\n        self.items = []\n\n    def add(self, x):\n"
                   "        pass\n\n    def total(self):\n        pass\n",
        "test_shop.py": "from shop import Cart\n\n\ndef test_add():\n    c = Cart()\n    c.add(2)\n"
                        "    assert c.items == [2]\n\n\ndef test_total():\n    c = Cart()\n    c.add(2)\n    c.add(3)\n"
                        "    assert c.total() == 5\n\n\ndef test_empty():\n    assert Cart().total() == 0\n"}
NEAR = ("class Cart:\n    def __init__(self):\n        self.items = []\n\n    def add(self, x):\n"
        "        self.items.append(x)\n\n    def total(self):\n        return sum(self.items) + 1\n")
SECOND = NEAR.replace("sum(self.items) + 1", "sum(self.items) + (1 if self.items else 0)")
TOTAL = "    def total(self):\n        return sum(self.items)\n"


def test_after_a_near_miss_a_focused_repair_changes_only_the_failing_method(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", SHOP)
    replies = [reply(f"shop.py\n```python\n{NEAR}```\n"),  # 1 of 3 tests passes: not near, a fresh start
               reply(f"shop.py\n```python\n{SECOND}```\n"),  # 2 of 3 pass: near, so a focused repair
               reply(f"shop.py\n```python\nclass Cart:\n{TOTAL}```\n")]  # only the method, fixed
    check = "python -m pytest -q test_shop.py"
    r, srv = run_small_model(hame, tmp_path, ws, replies, "Change shop.py so test_shop.py passes.", "--check", check,
                             "--tool-protocol", "whole", env={"HAME_FOCUS_REPAIR": "on"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and len(srv.requests) == 3
    assert (ws / "shop.py").read_text() == NEAR.replace("sum(self.items) + 1", "sum(self.items)")
    second, third = (req["messages"][-1]["content"] for req in srv.requests[1:])
    assert "set aside" in second  # 2 of 3 failed: a fresh start
    assert second.endswith("Reply with shop.py on one line, then the whole file in one fenced code block.")
    assert "passes most tests" in third and "return sum(self.items) + (1 if self.items else 0)" in third
    assert "Send only the functions or methods" in third and "shop.py on one line" in third
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]
    results = [rec["output"] for rec in records if rec["type"] == "tool_result"]
    assert "hame put your new Cart.total in place of the old one and kept the rest of shop.py." in results[-1]
    assert any("(focus, temperature" in rec["text"] for rec in records if rec["type"] == "notice")


def test_focus_follows_a_near_miss_once_then_a_fresh_start() -> None:
    r = Restarts(focus=True)
    task = msg.user("fix cart")
    near = "[hame ran the check]\npytest: 1 failed, 2 passed in 0.1s\n"
    r.failed(near)
    focus = r.rebuild([msg.system("s"), task, msg.assistant("a")], task, "shop.py", "class Cart: ...\n", "HOW")
    assert focus is not None and r.kind == "focus" and "class Cart: ..." in focus[2]["content"]
    assert "HOW" in focus[2]["content"]
    r.failed(near)  # the focused repair missed too: start afresh
    assert r.rebuild([*focus, msg.assistant("b")], task, "shop.py", "class Cart: ...\n") and r.kind == "fresh"
    r.failed("pytest: 2 failed, 1 passed in 0.1s")  # not near
    assert r.rebuild([msg.system("s"), task], task, "shop.py", "code\n") and r.kind == "fresh"
    assert Restarts().rebuild is not None and not Restarts(focus=False).focus
