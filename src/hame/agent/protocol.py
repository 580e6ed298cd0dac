"""How tool calls travel between hame and a model: `native` (the server's function calling), `text` (calls
written in the reply, parsed leniently), or `constrained` (the reply is forced by a JSON schema to be exactly one
valid call). Whatever the mode, a reply without native calls is also run through the lenient text parser."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .. import messages as msg
from ..messages import Message, ModelResponse, ToolCall, compact_json, new_call_id
from ..tools.base import Tool
from ..tools.fileblocks import file_block_grammar, file_blocks
from ..tools.lenient_json import parse_value
from ..tools.textcalls import ParsedCall, json_schema_for_calls, parse_tool_calls

Mode = Literal["native", "text", "constrained", "whole"]
ANSWER_TOOL = "final_answer"
WRITE_TOOL = "write_file"
REPETITION = ("Your reply started repeating the same text over and over, so it was cut off. "
              "Send one short tool call, or a short final answer.")
CUT_OFF = ("Your reply reached the output limit before its tool call was complete, so nothing was run or written. "
           "Send a shorter reply: only the code the task needs, without copying the tests or the task.")
COPYING = "copying_tests"  # the finish reason of a reply cut off because it was copying the test file
COPIED = ("Your reply was copying the test file into the code file, so it was cut off and nothing was written. "
          "The tests stay where they are; write the code they import and call.")
ECHOING = "echoing_task"  # the finish reason of a reply cut off because it was repeating the task's text
ECHOED = ("Your reply was repeating the task's text instead of answering it, so it was cut off and nothing was "
          "written. Reply with the path of the file to change on one line, then its complete code in one fenced block.")
EMPTY_REPLY = ("Your reply was empty. Either call one tool, or answer the user in plain text "
               "if the task is complete.")


@dataclass(frozen=True)
class Outcome:
    """What running one tool call produced, as the model will see it."""

    text: str
    ok: bool


class ToolProtocol:
    def __init__(self, mode: Mode, tools: list[Tool]) -> None:
        self.mode = mode
        self.tools = tools
        self.params = {t.name: list(t.parameters().get("properties", {})) for t in tools}
        self.default_path: str | None = None  # `whole`: the file an unlabelled code block is (the task's one file)

    def tool_schemas(self) -> list[dict[str, Any]]:
        return [t.schema() for t in self.tools] if self.mode == "native" else []

    def response_format(self, write_only: Sequence[str] = ()) -> dict[str, Any] | None:
        """`constrained`: the JSON schema of one call of any tool, or a final answer; with `write_only`, of one
        write_file call to one of those paths."""
        if self.mode != "constrained":
            return None
        schemas = [t.schema() for t in self.tools]
        writer = next((s for s in schemas if s["function"]["name"] == WRITE_TOOL), None)
        if write_only and writer is not None:
            schema = json_schema_for_calls([_paths_only(writer, write_only)])
        else:
            schema = json_schema_for_calls(schemas, allow_answer=True)
        return {"type": "json_schema", "json_schema": {"name": "tool_call", "schema": schema}}

    def grammar(self, write_only: Sequence[str] = ()) -> str | None:
        """`whole` with `write_only`: a llama.cpp grammar for a reply that is one whole file of those paths."""
        return file_block_grammar(list(write_only)) if self.mode == "whole" and write_only else None

    def calls_of(self, response: ModelResponse) -> tuple[list[ToolCall], str | None]:
        if response.tool_calls:
            return response.tool_calls, None
        if response.finish_reason == "repetition":
            return [], REPETITION
        if response.finish_reason == COPYING:
            return [], COPIED
        if response.finish_reason == ECHOING:
            return [], ECHOED
        if not response.text.strip():
            return [], EMPTY_REPLY
        params = dict(self.params)
        params.setdefault(ANSWER_TOOL, ["text"])
        parsed = parse_tool_calls(response.text, params)
        writes, problem = self._file_writes(response.text) if self.mode == "whole" else ([], None)
        if response.finish_reason == "length" and (writes or problem or parsed.calls or parsed.error):
            return [], CUT_OFF  # a call cut off at max_tokens would write a truncated file
        if writes or problem:
            return writes + self._calls(parsed.calls), problem
        if parsed.error:
            return [], parsed.error
        return self._calls(parsed.calls), None

    def cut_write(self, text: str) -> ToolCall | None:
        """The write a reply cut off while it streamed had begun, with its content up to the last whole line: the
        file block left open (`whole`), or the write_file call's JSON string left open (`text`, `constrained`)."""
        if self.mode == "whole":
            blocks, _ = file_blocks(_outside_calls(text.rsplit("\n", 1)[0] + "\n```\n"), self.default_path)
            return self.write_call(blocks[-1].path, blocks[-1].content) if blocks else None
        if self.mode == "native" or f'"{WRITE_TOOL}"' not in text:
            return None
        try:  # the lenient reader closes the string and the objects the cut left open
            call, _ = parse_value(text, max(text.find("{"), 0))
        except ValueError:
            return None
        args = call.get("arguments") if isinstance(call, dict) and call.get("name") == WRITE_TOOL else None
        if not isinstance(args, dict) or not isinstance(args.get("path"), str):
            return None
        content = str(args.get("content", ""))
        return self.write_call(args["path"], content[:content.rfind("\n") + 1])

    def closed_writes(self, text: str) -> list[ToolCall]:
        """`whole`: the file blocks a reply cut off while it streamed had closed before the cut, as writes."""
        if self.mode != "whole":
            return []
        return [self.write_call(b.path, b.content) for b in file_blocks(_outside_calls(text))[0]]

    @staticmethod
    def write_call(path: str, content: str) -> ToolCall:
        args = {"path": path, "content": content}
        return ToolCall(new_call_id(), WRITE_TOOL, args, compact_json(args))

    def _file_writes(self, text: str) -> tuple[list[ToolCall], str | None]:
        """`whole` mode: the reply's file blocks as write_file calls, or why they cannot be used."""
        blocks, problem = file_blocks(_outside_calls(text), self.default_path)
        return [self.write_call(b.path, b.content) for b in blocks], problem

    @staticmethod
    def _calls(parsed: list[ParsedCall]) -> list[ToolCall]:
        return [ToolCall(new_call_id(), c.name, dict(c.arguments), compact_json(c.arguments)) for c in parsed]

    def final_answer(self, calls: list[ToolCall]) -> str | None:
        if calls and calls[0].name == ANSWER_TOOL and ANSWER_TOOL not in self.params:
            args = calls[0].arguments or {}
            return str(args.get("text") or next(iter(args.values()), "") or "")
        return None

    def assistant_message(self, response: ModelResponse, calls: list[ToolCall]) -> Message:
        if self.mode == "native":
            prose = response.text if response.tool_calls else ""
            return msg.assistant(prose, calls)
        return msg.assistant(response.text)

    def result_messages(self, results: list[tuple[ToolCall, Outcome]], note: str = "") -> list[Message]:
        if self.mode == "native":
            out = [msg.tool_result(call.id, outcome.text) for call, outcome in results]
            if note:
                out.append(msg.user(note))
            return out
        blocks = [f'<tool_response name="{call.name}">\n{outcome.text}\n</tool_response>' for call, outcome in results]
        return [msg.user("\n".join(blocks) + (f"\n{note}" if note else ""))]


def _paths_only(tool_schema: dict[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """A copy of a tool's schema whose `path` argument must be one of `paths`."""
    fn = dict(tool_schema["function"])
    params = dict(fn["parameters"])
    params["properties"] = {**params["properties"], "path": {"type": "string", "enum": list(paths)}}
    fn["parameters"] = params
    return {**tool_schema, "function": fn}


def _outside_calls(text: str) -> str:
    """The text with <tool_call> blocks removed, so code inside a call is not taken for a file block."""
    return re.sub(r"<tool_call>.*?(</tool_call>|$)", "", text, flags=re.S)
