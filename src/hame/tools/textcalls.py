"""Tool calls written as text, read leniently: the protocol for models without native function calling.

The documented format is Hermes/Qwen style, one block per call::

    <tool_call>
    {"name": "read_file", "arguments": {"path": "src/app.py"}}
    </tool_call>

Also read: the same JSON fenced or bare, with `tool`/`function`/`action` for `name` and `args`/`parameters`/
`input` for `arguments` (or given as a JSON string); XML forms (`<function=read_file><parameter=path>`,
`<tool name="read_file">`, `<read_file><path>`); ReAct `Action:`/`Action Input:` lines; a lone
`read_file(path="a.py")` line; broken JSON (see `lenient_json`); misspelt tool and parameter names (see
`toolnames`). Text inside `<think>` is never a call. A turn with no call attempt is a final answer. An attempt that
cannot be used yields `error`: a correction written for the model, ending with the expected format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from . import lenient_json, pycalls, xmlcalls
from .toolnames import Toolset, squash

FINAL_ANSWER = "final_answer"
NAME_KEYS = ("name", "tool", "tool_name", "function", "function_name", "action", "recipient_name")
ARG_KEYS = ("arguments", "parameters", "args", "input", "params", "action_input", "tool_input", "kwargs",
            "argument")
_META_KEYS = {"type", "id", "call_id", "index", "thought", "reasoning"}
_TAGS = r"tool_calls?|toolcall|tools|function_calls?|tool_use|tool_code"
_TAG = re.compile(rf"<\|?({_TAGS})\|?>|<\|?/({_TAGS})\|?>", re.IGNORECASE)
_JSON_START = re.compile(r"""(?:\[\s*)?\{\s*["'`]?([\w\-.]+)["'`]?\s*:""")
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)
_REACT = re.compile(r"^[ \t]*Action:[ \t]*`?([\w.\-]+)`?[ \t]*\n[ \t]*Action[ _]Input:[ \t]*(.*)", re.MULTILINE)

RawCall = tuple[str, object]


@dataclass(frozen=True)
class ParsedCall:
    name: str
    arguments: dict[str, object]


@dataclass(frozen=True)
class ParseResult:
    """`calls` in text order; `prose` is the text around them (or a final answer); `error` is for the model.

    Calls that could be read are returned even when another attempt in the same turn failed."""

    calls: list[ParsedCall]
    prose: str
    error: str | None


@dataclass(frozen=True)
class Found:
    """One call attempt in the text: the span it covers, what it held, or why it could not be read."""

    start: int
    end: int
    calls: list[RawCall] = field(default_factory=list)
    error: str | None = None


def parse_tool_calls(text: str, tools: Mapping[str, Sequence[str]]) -> ParseResult:
    toolset = Toolset(tools)
    scan = _blank(text, [(m.start(), m.end()) for m in _THINK.finditer(text)])
    found: list[Found] = []
    for extract in (_tagged, _xml, _react, _bare_json, _python):
        new = list(extract(scan, toolset))
        found += new
        scan = _blank(scan, [(f.start, f.end) for f in new])
    found.sort(key=lambda f: f.start)
    calls, answers, problems = _resolve(found, toolset)
    prose = "\n\n".join([_prose(text, found), *answers]).strip()
    error = _correction(problems, toolset) if problems else None
    return ParseResult(calls, prose, error)


def format_instructions(tools_doc: str) -> str:
    """The text-protocol part of the system prompt, with the tools' documentation filled in."""
    template = resources.files("hame").joinpath("prompts/text_protocol.md").read_text(encoding="utf-8")
    return template.replace("{tools}", tools_doc.strip())


def json_schema_for_calls(tool_schemas: list[dict[str, Any]], allow_answer: bool = False) -> dict[str, Any]:
    """The JSON schema of exactly one call, for constrained decoding (llama.cpp `response_format`)."""
    options = []
    for schema in tool_schemas:
        fn = schema.get("function", schema)
        params = fn.get("parameters") or {"type": "object", "properties": {}}
        options.append(_call_schema(fn["name"], params))
    if allow_answer:
        text = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"],
                "additionalProperties": False}
        options.append(_call_schema(FINAL_ANSWER, text))
    return {"anyOf": options}


def _call_schema(name: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"name": {"const": name}, "arguments": params},
            "required": ["name", "arguments"], "additionalProperties": False}


def _tagged(scan: str, toolset: Toolset) -> Iterator[Found]:
    """`<tool_call>` blocks (and the tags models confuse it with); a missing closing tag ends at the next block."""
    tags = list(_TAG.finditer(scan))
    for i, tag in enumerate(tags):
        if not tag.group(1):
            continue
        after = tags[i + 1] if i + 1 < len(tags) else None
        body_end = after.start() if after else len(scan)
        end = after.end() if after and after.group(2) else body_end
        calls, error = read_block(scan[tag.end():body_end], toolset)
        yield Found(tag.start(), end, calls, error)


def _xml(scan: str, toolset: Toolset) -> Iterator[Found]:
    return (Found(start, end, calls) for start, end, calls in xmlcalls.find(scan, toolset))


def _python(scan: str, toolset: Toolset) -> Iterator[Found]:
    return (Found(start, end, calls) for start, end, calls in pycalls.find(scan, toolset))


def _react(scan: str, toolset: Toolset) -> Iterator[Found]:
    """`Action: read_file` then `Action Input: {"path": "a.py"}` (ReAct style); a plain input is the main argument."""
    for match in _REACT.finditer(scan):
        start = match.start(2)
        if scan[start:start + 1] not in ("{", "["):
            end = match.end(2)
            yield Found(match.start(), end, [(match.group(1), match.group(2).strip().strip("`\"'"))])
            continue
        try:
            args, end = lenient_json.parse_value(scan, start)
        except lenient_json.JsonSyntaxError as exc:
            yield Found(match.start(), match.end(), error=f"invalid JSON in Action Input at {exc}")
            continue
        yield Found(match.start(), end, [(match.group(1), args)])


def read_block(body: str, toolset: Toolset) -> tuple[list[RawCall], str | None]:
    """What one `<tool_call>` block holds: JSON, an XML form, `name(args)`, or `name {json}`."""
    inner = _unfence(body.strip())
    if not inner:
        return [], "the <tool_call> block is empty"
    if inner[0] in "{[":
        return json_calls(inner, toolset)
    if inner[0] == "<":
        found = [call for _, _, calls in xmlcalls.find(inner, toolset) for call in calls]
        if found:
            return found, None
    named = re.match(r"([\w.\-]+)\s*(?:\n|:)?\s*(\{.*)", inner, re.DOTALL)
    if named:
        return [(named.group(1), _loads_or_text(named.group(2)))], None
    call = pycalls.read_call(inner, toolset)
    if call:
        return [call], None
    return [], "the <tool_call> block must hold one JSON object with \"name\" and \"arguments\""


def json_calls(text: str, toolset: Toolset) -> tuple[list[RawCall], str | None]:
    """Every call in one or more JSON values written one after another."""
    calls: list[RawCall] = []
    pos = 0
    while True:
        pos = _skip(text, pos, " \t\r\n,")
        if pos >= len(text) or text[pos] not in "{[":
            return calls, None
        try:
            value, pos = lenient_json.parse_value(text, pos)
        except lenient_json.JsonSyntaxError as exc:
            return calls, f"invalid JSON in the tool call at {exc}"
        got = calls_in_value(value, toolset)
        if got is None:
            return calls, "the tool call JSON needs a \"name\" key and an \"arguments\" object"
        calls += got


def calls_in_value(value: object, toolset: Toolset) -> list[RawCall] | None:
    """The calls a parsed JSON value describes, or None when it does not look like a call at all."""
    if isinstance(value, list):
        found = [calls_in_value(item, toolset) for item in value]
        return None if not found or any(f is None for f in found) else [c for f in found if f for c in f]
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("tool_calls"), list):
        return calls_in_value(value["tool_calls"], toolset)
    if isinstance(value.get("function"), dict):
        return calls_in_value(value["function"], toolset)
    name = next((value[k] for k in NAME_KEYS if isinstance(value.get(k), str)), None)
    if name is None:
        return _single_key_call(value, toolset)
    args = next((value[k] for k in ARG_KEYS if k in value), None)
    if args is None:
        skip = set(NAME_KEYS) | _META_KEYS
        args = {k: v for k, v in value.items() if k not in skip}
    return [(name, args)]


def _single_key_call(value: dict[str, object], toolset: Toolset) -> list[RawCall] | None:
    """`{"read_file": {"path": "a.py"}}`."""
    if len(value) == 1:
        (key, args), = value.items()
        if isinstance(args, dict) and toolset.resolve(key):
            return [(key, args)]
    return None


def _bare_json(scan: str, toolset: Toolset) -> Iterator[Found]:
    """JSON calls in prose or in a code fence, found where an object opens with a call-like key."""
    pos = 0
    while match := _JSON_START.search(scan, pos):
        key = match.group(1)
        named = key in NAME_KEYS or key == "tool_calls"
        if not named and not toolset.resolve(key):
            pos = match.start() + 1
            continue
        try:
            value, end = lenient_json.parse_value(scan, match.start())
        except lenient_json.JsonSyntaxError as exc:
            line_end = scan.find("\n", exc.pos)
            end = len(scan) if line_end < 0 else line_end
            if _mentions_call(scan[match.start():end], toolset):
                yield Found(match.start(), end, error=f"invalid JSON in the tool call at {exc}")
            pos = end
            continue
        calls = calls_in_value(value, toolset)
        if calls and _is_attempt(value, calls, toolset):
            yield Found(match.start(), end, calls)
        pos = end if calls else match.start() + 1


def _mentions_call(text: str, toolset: Toolset) -> bool:
    """Whether broken JSON names an arguments key or a tool, so it was meant as a call (not an example in prose)."""
    words = set(re.findall(r"[\w\-.]+", text))
    return bool(words & set(ARG_KEYS)) or any(toolset.resolve(word) for word in words)


def _is_attempt(value: object, calls: list[RawCall], toolset: Toolset) -> bool:
    """Bare JSON counts as a call when a name resolves or it is shaped like one (so `{"name": "Bob"}` is prose)."""
    if all(toolset.resolve(name) or squash(name) == squash(FINAL_ANSWER) for name, _ in calls):
        return True
    items = value if isinstance(value, list) else [value]
    return all(isinstance(i, dict) and any(k in i for k in (*ARG_KEYS, "function", "tool_calls")) for i in items)


def _resolve(found: list[Found], toolset: Toolset) -> tuple[list[ParsedCall], list[str], list[str]]:
    calls: list[ParsedCall] = []
    answers: list[str] = []
    problems: list[str] = []
    for item in found:
        if item.error:
            problems.append(item.error)
        for raw_name, raw_args in item.calls:
            name = toolset.resolve(raw_name)
            if name:
                calls.append(ParsedCall(name, toolset.arguments(name, raw_args)))
            elif squash(raw_name) == squash(FINAL_ANSWER):
                answers.append(_answer_text(raw_args))
            else:
                problems.append(toolset.unknown(raw_name))
    return calls, answers, problems


def _answer_text(raw: object) -> str:
    if isinstance(raw, dict):
        text = raw.get("text", raw.get("answer", next(iter(raw.values()), "")))
        return text if isinstance(text, str) else json.dumps(text)
    return raw if isinstance(raw, str) else json.dumps(raw)


def _correction(problems: list[str], toolset: Toolset) -> str:
    first = "read_file" if "read_file" in toolset.tools else next(iter(toolset.tools), "tool_name")
    params = toolset.tools.get(first, [])
    example = {"name": first, "arguments": {params[0]: "..."} if params else {}}
    unique = list(dict.fromkeys(problems))
    return ("Your tool call could not be used: " + "; ".join(unique) + ".\n"
            "Write each call as one JSON object inside tags, like this:\n"
            f"<tool_call>\n{json.dumps(example)}\n</tool_call>")


def _prose(text: str, found: list[Found]) -> str:
    kept = _blank(text, [(f.start, f.end) for f in found], fill="")
    kept = re.sub(r"```[\w\-]*\s*```", "", kept)
    kept = _TAG.sub("", kept)
    return re.sub(r"\n{3,}", "\n\n", kept).strip()


def _blank(text: str, spans: list[tuple[int, int]], fill: str = " ") -> str:
    """Replace each span with `fill` characters (spaces keep positions; "" removes)."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out += [text[pos:start], fill * (end - start)]
        pos = end
    return "".join(out) + text[pos:]


def _unfence(text: str) -> str:
    match = re.fullmatch(r"```[\w\-]*\s*\n?(.*?)\n?\s*(?:```)?", text, re.DOTALL)
    return match.group(1).strip() if match else text


def _skip(text: str, pos: int, chars: str) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def _loads_or_text(text: str) -> object:
    try:
        return lenient_json.loads(text)
    except lenient_json.JsonSyntaxError:
        return text
