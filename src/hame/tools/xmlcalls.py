"""Tool calls written as XML-ish tags, the other shape small models reach for:

    <function=read_file><parameter=path>a.py</parameter></function>      (Qwen3-Coder)
    <tool name="read_file"><path>a.py</path></tool>                      (and <invoke name=...><parameter name=...>)
    <read_file><path>a.py</path></read_file>                             (the tool's own name as the tag)

A missing closing tag ends at the next call or the end of the text; a call with no parameter tags gives its text to
the tool's main parameter (or is read as JSON when it looks like JSON). Parameter values lose their framing
newlines but keep their indentation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import lenient_json
from .toolnames import Toolset

RawCall = tuple[str, object]
_Q = r"[\"']"
_CALL = re.compile(
    rf"<function\s*=\s*{_Q}?(?P<eq>[\w.\-]+){_Q}?\s*>"
    rf"|<(?P<tag>function|tool|invoke|tool_call|call|use_tool)\s+name\s*=\s*{_Q}(?P<named>[^\"'<>]+){_Q}\s*>"
    r"|<(?P<bare>[A-Za-z_][\w\-.]*)\s*>", re.IGNORECASE)
_PARAM = re.compile(
    rf"<parameter\s*=\s*{_Q}?(?P<eq>[\w.\-]+){_Q}?\s*>"
    rf"|<(?P<tag>parameter|param|arg|argument)\s+name\s*=\s*{_Q}(?P<named>[^\"'<>]+){_Q}\s*>"
    r"|<(?P<bare>[A-Za-z_][\w\-.]*)\s*>", re.IGNORECASE)


def find(text: str, toolset: Toolset) -> Iterator[tuple[int, int, list[RawCall]]]:
    """Each XML-form call in `text`: (start, end, [(name, arguments)])."""
    pos = 0
    while match := _CALL.search(text, pos):
        name = match.group("eq") or match.group("named") or match.group("bare")
        if match.group("bare") and not toolset.resolve(name):
            pos = match.end()
            continue
        body_end, end = _close(text, match, "function")
        yield match.start(), end, [(name, _arguments(text[match.end():body_end]))]
        pos = end


def _close(text: str, opener: re.Match[str], eq_tag: str) -> tuple[int, int]:
    """Where the element's body ends and where the element ends; unclosed ones stop before the next sibling."""
    tag = eq_tag if opener.group("eq") else (opener.group("tag") or opener.group("bare"))
    if opener.group("eq"):
        sibling = rf"<{eq_tag}\s*="
    elif opener.group("tag"):
        sibling = rf"<{tag}\s+name\s*="
    else:
        sibling = rf"<{re.escape(tag)}\s*>"
    stop = re.compile(rf"</{re.escape(tag)}\s*>|(?={sibling})", re.IGNORECASE).search(text, opener.end())
    if not stop:
        return len(text), len(text)
    return stop.start(), stop.end()


def _arguments(body: str) -> object:
    args: dict[str, object] = {}
    pos = 0
    while match := _PARAM.search(body, pos):
        key = match.group("eq") or match.group("named") or match.group("bare")
        value_end, pos = _close(body, match, "parameter")
        args[key] = _value(body[match.end():value_end])
    if args:
        return args
    text = body.strip()
    if text[:1] in ("{", "["):
        try:
            return lenient_json.loads(text)
        except lenient_json.JsonSyntaxError:
            pass
    return text or None


def _value(raw: str) -> str:
    """A parameter's text without the newlines that frame it; indentation inside is kept (it matters in old_text).

    Multi-line values keep one final newline."""
    body = raw.lstrip("\r\n").rstrip()
    return body + "\n" if "\n" in body else body
