from __future__ import annotations

import pytest

from hame.tools.textcalls import FINAL_ANSWER, format_instructions, json_schema_for_calls, parse_tool_calls

from .corpora import corpus_tools, load

TOOLS = corpus_tools()
CASES = load("malformed_calls.jsonl")


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_corpus(case: dict) -> None:
    result = parse_tool_calls(case["text"], TOOLS)
    assert [{"name": c.name, "arguments": c.arguments} for c in result.calls] == case.get("expect", [])
    assert (result.error is not None) == case.get("expect_error", False), result.error


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 60
    assert sum(bool(c.get("expect_error")) for c in CASES) >= 5


def test_prose_around_a_call_is_kept() -> None:
    text = 'First I will read it.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "a.py"}}\n</tool_call>'
    assert parse_tool_calls(text, TOOLS).prose == "First I will read it."


def test_plain_answer_is_prose_without_error() -> None:
    result = parse_tool_calls("All done: the tests pass.", TOOLS)
    assert (result.calls, result.prose, result.error) == ([], "All done: the tests pass.", None)


def test_unknown_tool_error_names_the_tools_and_the_format() -> None:
    error = parse_tool_calls('<tool_call>{"name": "open_file", "arguments": {}}</tool_call>', TOOLS).error
    assert error is not None
    assert "unknown tool 'open_file' (did you mean read_file?)" in error
    assert "available: list_files, read_file, search" in error
    assert '<tool_call>\n{"name": "read_file", "arguments": {"path": "..."}}\n</tool_call>' in error


def test_invalid_json_error_says_where() -> None:
    text = '<tool_call>\n{"name": "read_file", "arguments": {"path" "a.py"}}\n</tool_call>'
    error = parse_tool_calls(text, TOOLS).error or ""
    assert "invalid JSON in the tool call at line 1 column 44" in error
    assert "expected ':' after the key 'path'" in error


def test_good_calls_survive_a_bad_one() -> None:
    text = ('<tool_call>{"name": "nope", "arguments": {}}</tool_call>'
            '<tool_call>{"name": "read_file", "arguments": {"path": "a.py"}}</tool_call>')
    result = parse_tool_calls(text, TOOLS)
    assert [c.name for c in result.calls] == ["read_file"]
    assert result.error and "unknown tool 'nope'" in result.error


def test_final_answer_pseudo_call_becomes_prose() -> None:
    text = '{"name": "final_answer", "arguments": {"text": "Fixed the bug."}}'
    assert parse_tool_calls(text, TOOLS).prose == "Fixed the bug."


def test_ambiguous_name_is_not_guessed() -> None:
    tools = {"read_file": ["path"], "readFile": ["path"]}
    result = parse_tool_calls('<tool_call>{"name": "read-file", "arguments": {"path": "a"}}</tool_call>', tools)
    assert result.calls == [] and result.error


def test_format_instructions_are_short_and_include_tools() -> None:
    text = format_instructions("- read_file(path): read a file")
    assert "- read_file(path): read a file" in text
    assert "<tool_call>" in text and "{tools}" not in text
    assert len(text) < 1200


def _schemas() -> list[dict]:
    params = {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}
    return [{"type": "function", "function": {"name": "read_file", "description": "read", "parameters": params}},
            {"name": "list_files", "parameters": {"type": "object", "properties": {}}}]


def test_json_schema_for_calls_accepts_exactly_one_call() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema_for_calls(_schemas())
    jsonschema.validate({"name": "read_file", "arguments": {"path": "a.py"}}, schema)
    jsonschema.validate({"name": "list_files", "arguments": {}}, schema)
    for bad in ({"name": "read_file", "arguments": {}}, {"name": "rm", "arguments": {}},
                {"name": FINAL_ANSWER, "arguments": {"text": "hi"}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_json_schema_for_calls_can_allow_an_answer() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema_for_calls(_schemas(), allow_answer=True)
    jsonschema.validate({"name": FINAL_ANSWER, "arguments": {"text": "done"}}, schema)
    assert [o["properties"]["name"]["const"] for o in schema["anyOf"]] == ["read_file", "list_files", FINAL_ANSWER]
