"""The pure parts of context reduction: the budget's numbers, masking old outputs, the summary helpers."""

from __future__ import annotations

import json

from hame import messages as msg
from hame.context.budget import MIN_OUTPUT_CHARS, Budget, request_tokens, short
from hame.context.compaction import Compactor
from hame.context.masking import clip_outputs, keep_from, mask_outputs, turn_starts
from hame.context.summary import fallback, last_errors, render_turns, usable
from hame.messages import ToolCall, Usage, estimate_tokens
from hame.providers.base import ModelRequest
from hame.providers.scripted import ScriptedModel

BIG = "x = 1\n" * 200  # 1,200 characters: worth masking


def native_turn(call_id: str, name: str, args: dict, output: str) -> list[dict]:
    return [msg.assistant("", [ToolCall(call_id, name, args)]), msg.tool_result(call_id, output)]


def history(n: int) -> list[dict]:
    out = [msg.system("sys"), msg.user("fix the bug")]
    for i in range(n):
        out += native_turn(f"c{i}", "read_file", {"path": f"f{i}.py"}, BIG)
    return out


def test_the_trigger_leaves_room_for_the_reply_and_a_summary() -> None:
    b = Budget.for_window(8192, None)
    assert (b.reply_tokens, b.summary_tokens) == (1024, 1024)
    assert b.trigger == 6144 and b.hard_limit == 7168
    small = Budget.for_window(16384, 1024)
    assert small.trigger == 12288  # 75 % is tighter than 16384 - 1024 - 1024
    tight = Budget.for_window(4096, 4096)
    assert tight.reply_tokens == 1024 and tight.trigger == 4096 - 1024 - 512
    assert b.target(2000) == 6144 - (6144 - 2000) // 2 and b.target(2000, free=0.25) == 6144 - 1036
    assert Budget.for_window(None, None).window == 32768


def test_the_estimate_is_the_one_of_the_request_as_sent() -> None:
    messages = history(2)
    tools = [{"type": "function", "function": {"name": "read_file", "parameters": {}}}]
    wire = ModelRequest(messages, tools).wire()
    assert request_tokens(messages, tools) == estimate_tokens(json.dumps(wire, ensure_ascii=False))


def test_a_server_that_counts_more_tokens_scales_the_estimate_up_never_down() -> None:
    b = Budget.for_window(8192, None)
    b.observe(Usage(input_tokens=1500), 1000)
    assert b.ratio == 1.5 and b.tokens([msg.user("a" * 700)]) > request_tokens([msg.user("a" * 700)])
    b.observe(Usage(input_tokens=500), 1000)
    assert b.ratio == 1.0
    b.observe(Usage(input_tokens=5000, estimated_input_tokens=5000), 1000)
    assert b.ratio == 1.0


def test_the_context_note_starts_above_half_the_window() -> None:
    b = Budget.for_window(16384, 1024)
    assert b.note(8000) is None
    assert b.note(10400) == "[context: 63% of 16k tokens]"
    assert b.note(13000) == "[context: 79% of 16k tokens; older turns are compacted before your next reply]"
    assert (short(8192), short(131072), short(6000)) == ("8k", "128k", "6k")


def test_old_outputs_become_stubs_and_the_last_turns_stay() -> None:
    messages = history(5)
    start = keep_from(messages, 2)
    assert start == turn_starts(messages)[-2]
    masked, n = mask_outputs(messages, start, readonly={"read_file"})
    assert n == 3
    assert masked[3]["content"] == ("[output of read_file(path=f0.py) removed to save context; "
                                    "call it again if needed]")
    assert masked[3]["tool_call_id"] == "c0" and masked[start:] == messages[start:]
    assert masked[:2] == messages[:2] and messages[3]["content"] == BIG  # the input is not changed


def test_changing_tools_are_not_offered_again_and_short_outputs_stay() -> None:
    messages = [msg.system("s"), msg.user("t"), *native_turn("a", "run_shell", {"command": "make"}, BIG),
                *native_turn("b", "read_file", {"path": "x"}, "short"), *native_turn("c", "list_files", {}, BIG)]
    masked, n = mask_outputs(messages, len(messages), readonly={"read_file", "list_files"})
    assert n == 1 + 1 and masked[5]["content"] == "short"
    assert masked[3]["content"] == "[output of run_shell(command=make) removed to save context]"


def test_text_protocol_result_blocks_are_masked_inside_the_user_message() -> None:
    block = f'<tool_response name="read_file">\n{BIG}\n</tool_response>'
    messages = [msg.system("s"), msg.user("t"), msg.assistant('{"name": "read_file"}'), msg.user(block + "\nnote"),
                msg.assistant("{}"), msg.user('<tool_response name="list_files">\nok\n</tool_response>')]
    masked, n = mask_outputs(messages, keep_from(messages, 1), readonly={"read_file"})
    assert n == 1
    assert masked[3]["content"] == ('<tool_response name="read_file">\n[output of read_file removed to save '
                                    'context; call it again if needed]\n</tool_response>\nnote')


def test_a_cut_never_separates_a_call_from_its_results() -> None:
    messages = history(4)
    for turns in range(1, 5):
        cut = keep_from(messages, turns)
        assert messages[cut]["role"] == "assistant"
        kept_ids = {c["id"] for m in messages[cut:] for c in m.get("tool_calls") or []}
        assert kept_ids == {m["tool_call_id"] for m in messages[cut:] if m["role"] == "tool"}


def test_clipping_the_last_outputs_keeps_head_and_tail() -> None:
    text = "".join(f"line {i}\n" for i in range(1000))
    messages = [msg.system("s"), *native_turn("a", "run_shell", {"command": "x"}, text)]
    out = clip_outputs(messages, 1, len(text) // 2)
    assert len(out[2]["content"]) < len(text) * 0.6
    assert "line 0\n" in out[2]["content"] and "line 999" in out[2]["content"] and "omitted" in out[2]["content"]


def test_a_summary_must_be_prose_of_some_length() -> None:
    assert usable("", 1000) is None and usable("ok", 1000) is None
    assert usable('<tool_call>{"name": "read_file"}</tool_call> and some more words here', 1000) is None
    good = "Task: fix the bug in calc.py. Changed calc.py (add used minus). Tests pass now."
    assert usable(good, 1000) == good
    assert usable(good * 10, 100).endswith("…") and len(usable(good * 10, 100) or "") == 100


def test_the_fallback_keeps_task_files_calls_and_last_errors() -> None:
    messages = [msg.user("fix calc"), *native_turn("a", "run_shell", {"command": "pytest"},
                                                   "[exit code 1]\nE   assert 1 == 5\nFAILED test_calc.py"),
                *native_turn("b", "edit_file", {"path": "calc.py"}, "Error: old_text not found in calc.py")]
    text = fallback("fix calc", ["calc.py"], messages)
    assert "Task: fix calc" in text and "Files changed: calc.py" in text
    assert "run_shell(command=pytest)" in text and "edit_file(path=calc.py)" in text
    assert "- [exit code 1] … FAILED test_calc.py" in text and "- Error: old_text not found" in text
    earlier = msg.user("[context compacted at step 3: ...]\n\nSummary:\n" + text + "\n\nWorking memory:\n- a note")
    assert last_errors([earlier]) == ["[exit code 1] … FAILED test_calc.py", "Error: old_text not found in calc.py"]


def test_the_turns_for_the_summariser_fit_the_room() -> None:
    text = render_turns(history(30), 5000)
    assert len(text) < 5300 and "CALL read_file(path=f0.py)" in text and "f29.py" in text


def compactor(tmp_path, window: int = 8192) -> tuple[Compactor, list]:
    events: list = []
    script = tmp_path / "s.jsonl"
    script.write_text('{"content": ""}\n')
    model = ScriptedModel(str(script), context_window=window)
    return Compactor(model, Budget.for_window(window, None), events.append, lambda: ["a.py"],
                     readonly={"read_file"}), events


def test_nothing_happens_at_or_below_the_trigger_and_stubs_come_first_above_it(tmp_path) -> None:
    c, events = compactor(tmp_path)
    small = history(3)
    assert c.fit(small, step=4) is None and events == []
    big = history(30)  # 30 outputs of ~400 tokens: far over the 6,144-token trigger
    done = c.fit(big, step=31)
    assert done is not None and c.tokens(done.messages) <= c.budget.target(c.tokens(big[:1]), free=0.25)
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["Compaction", "Notice"] and events[0].tier == "mask" and events[0].messages == done.messages
    assert "old tool outputs removed" in events[1].text


def test_the_room_for_a_new_output_shrinks_as_the_window_fills(tmp_path) -> None:
    c, _ = compactor(tmp_path)
    assert c.output_room(history(0), 1) == c.budget.chars(8192 // 4)  # a quarter of the window at most
    assert c.output_room(history(0), 2) == c.budget.chars(8192 // 4)
    full = history(2) + [msg.user("y" * 30000)]  # not an output: it cannot be stubbed
    assert c.output_room(full, 1) == MIN_OUTPUT_CHARS


def test_a_last_turn_bigger_than_the_window_is_clipped_under_the_hard_limit(tmp_path) -> None:
    c, events = compactor(tmp_path)
    huge = "".join(f"row {i}\n" for i in range(8000))  # ~17k tokens in an 8k window
    messages = [msg.system("sys"), msg.user("t"), *native_turn("a", "run_shell", {"command": "x"}, huge)]
    done = c.fit(messages, step=2)
    assert done is not None and c.tokens(done.messages) <= c.budget.hard_limit
    out = done.messages[-1]["content"]
    assert out.startswith("row 0\n") and out.rstrip().endswith("row 7999") and "omitted" in out
    assert c.fit(done.messages[:2], step=3) is None  # a tiny history: nothing to do, no notice
    assert [type(e).__name__ for e in events] == ["Compaction", "Notice"]
