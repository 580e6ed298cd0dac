"""hame's OpenAI-format history converted to a Messages API request: pure functions over dicts."""

from __future__ import annotations

from hame import messages as msg
from hame.messages import ToolCall
from hame.providers.anthropic_format import convert_messages, convert_tools, request_params
from hame.providers.base import ModelRequest

TOOLS = [{"type": "function", "function": {"name": "read_file", "description": "Read a file.",
                                           "parameters": {"type": "object", "properties": {"path": {"type": "string"}},
                                                          "required": ["path"]}}},
         {"type": "function", "function": {"name": "run_shell", "parameters": {"properties": {}}}}]


def history() -> list[dict]:
    calls = [ToolCall("call_1", "read_file", {"path": "a.py"}), ToolCall("bad.id!", "run_shell", {"command": "ls"})]
    return [msg.system("You are hame."), msg.user("fix a.py"), msg.assistant("Let me look.", calls),
            msg.tool_result("call_1", "print(1)"), msg.tool_result("bad.id!", "Error: no such file"),
            msg.user("Only your first call ran."), msg.assistant("Done."), msg.user("thanks")]


def breakpoints(params: dict) -> list[str]:
    """Where cache_control sits, as readable labels."""
    found = [f"tool:{t['name']}" for t in params.get("tools", []) if "cache_control" in t]
    found += [f"system:{i}" for i, b in enumerate(params.get("system", [])) if "cache_control" in b]
    for t, turn in enumerate(params["messages"]):
        found += [f"turn{t}:{b['type']}" for b in turn["content"] if "cache_control" in b]
    return found


def test_system_is_separate_and_turns_alternate() -> None:
    system, turns = convert_messages(history())
    assert system == [{"type": "text", "text": "You are hame."}]
    assert [t["role"] for t in turns] == ["user", "assistant", "user", "assistant", "user"]


def test_tool_calls_become_tool_use_and_results_one_user_turn() -> None:
    _, turns = convert_messages(history())
    assert turns[1]["content"] == [
        {"type": "text", "text": "Let me look."},
        {"type": "tool_use", "id": "call_1", "name": "read_file", "input": {"path": "a.py"}},
        {"type": "tool_use", "id": "bad_id_", "name": "run_shell", "input": {"command": "ls"}}]
    assert turns[2]["content"] == [
        {"type": "tool_result", "tool_use_id": "call_1", "content": "print(1)"},
        {"type": "tool_result", "tool_use_id": "bad_id_", "content": "Error: no such file", "is_error": True},
        {"type": "text", "text": "Only your first call ran."}]


def test_tool_results_come_before_text_in_a_merged_user_turn() -> None:
    calls = [ToolCall("c1", "read_file", {"path": "a"})]
    _, turns = convert_messages([msg.user("go"), msg.assistant("", calls), msg.user("(memory)"),
                                 msg.tool_result("c1", "x")])
    assert [b["type"] for b in turns[2]["content"]] == ["tool_result", "text"]


def test_empty_assistant_turn_is_dropped_and_neighbours_merge() -> None:
    _, turns = convert_messages([msg.user("a"), msg.assistant(""), msg.user("b")])
    assert turns == [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]


def test_unparsable_arguments_become_an_empty_object() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "read_file", "arguments": "{oops"}}
    _, turns = convert_messages([msg.user("a"), {"role": "assistant", "tool_calls": [call]}])
    assert turns[1]["content"][0]["input"] == {}


def test_tool_schemas_convert_to_input_schema() -> None:
    assert convert_tools(TOOLS) == [
        {"name": "read_file", "description": "Read a file.",
         "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
        {"name": "run_shell", "input_schema": {"properties": {}, "type": "object"}}]


def test_cache_breakpoints_on_prefix_transcript_end_and_previous_request_end() -> None:
    params = request_params("claude-x", ModelRequest(history(), tools=TOOLS), 4096)
    assert breakpoints(params) == ["tool:run_shell", "system:0", "turn2:text", "turn4:text"]


def test_first_request_has_three_breakpoints_and_history_is_not_mutated() -> None:
    messages = [msg.system("s"), msg.user("task")]
    params = request_params("claude-x", ModelRequest(messages, tools=TOOLS), 4096)
    assert breakpoints(params) == ["tool:run_shell", "system:0", "turn0:text"]
    assert messages == [msg.system("s"), msg.user("task")] and "cache_control" not in str(TOOLS)


def test_never_more_than_four_breakpoints() -> None:
    long = [msg.system("s")]
    for i in range(30):
        long += [msg.user(f"u{i}"), msg.assistant(f"a{i}")]
    long.append(msg.user("last"))
    assert len(breakpoints(request_params("m", ModelRequest(long, tools=TOOLS), 10))) == 4


def test_params_carry_model_max_tokens_and_clamped_temperature() -> None:
    params = request_params("claude-x", ModelRequest([msg.user("hi")], max_tokens=None, temperature=1.5), 4096)
    assert (params["model"], params["max_tokens"], params["temperature"]) == ("claude-x", 4096, 1.0)
    assert "system" not in params and "tools" not in params
