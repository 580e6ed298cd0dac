"""A forgiving reader for the JSON that small models write.

Accepts, beyond strict JSON: single, backtick and triple-quoted strings; raw newlines and tabs inside strings;
unknown escapes (kept verbatim); Python literals True/False/None; unquoted keys and simple bare values; trailing
commas; a missing comma between members on separate lines; `]` closing an object and `}` an array; `//` comments;
`+`-joined strings; and a value cut off at the end of the text (open strings and containers are closed).

When that fails, a second pass guesses quotes: a `"` inside a string closes it only where the text after it
continues the JSON, so `"print("hi")"` reads as `print("hi")`, and a missing comma before a key is forgiven.
"""

from __future__ import annotations

import json
import re
from typing import Literal

Context = Literal["key", "object", "array", "top"]

_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BARE = re.compile(r"[A-Za-z_$][\w$.\-/~*]*")
_LITERALS: dict[str, object] = {"true": True, "false": False, "null": None, "True": True, "False": False,
                                "None": None, "undefined": None}
_ESCAPES = {'"': '"', "'": "'", "`": "`", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t"}
_KEY_AHEAD = re.compile(r"""\s*(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z_][\w\-]*)\s*:""")


class JsonSyntaxError(ValueError):
    """Where and why the text stopped being readable, phrased for the model."""

    def __init__(self, reason: str, text: str, pos: int) -> None:
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        near = text[max(0, pos - 25):pos + 15].replace("\n", " ")
        super().__init__(f"line {line} column {column} (near {near!r}): {reason}")
        self.pos = pos


def parse_value(text: str, start: int = 0) -> tuple[object, int]:
    """Read one value starting at `start` (leading whitespace allowed); return it and the index just past it."""
    try:
        return json.JSONDecoder().raw_decode(text, _skip_space(text, start))
    except ValueError:
        pass
    try:
        return _Reader(text, guess_quotes=False).read(start)
    except JsonSyntaxError as strict:
        try:
            return _Reader(text, guess_quotes=True).read(start)
        except JsonSyntaxError:
            raise strict from None


def loads(text: str) -> object:
    """Read `text` as one value; anything but whitespace after it is an error."""
    value, end = parse_value(text)
    rest = _skip_space(text, end)
    if rest < len(text):
        raise JsonSyntaxError("unexpected text after the value", text, rest)
    return value


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
        elif text.startswith("//", pos):
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
        else:
            break
    return pos


class _Reader:
    def __init__(self, text: str, *, guess_quotes: bool) -> None:
        self.text = text
        self.guess_quotes = guess_quotes

    def fail(self, reason: str, pos: int) -> JsonSyntaxError:
        return JsonSyntaxError(reason, self.text, pos)

    def read(self, pos: int, context: Context = "top") -> tuple[object, int]:
        text = self.text
        pos = _skip_space(text, pos)
        if pos >= len(text):
            raise self.fail("expected a value, found the end of the text", pos)
        char = text[pos]
        if char == "{":
            return self.read_object(pos + 1)
        if char == "[":
            return self.read_array(pos + 1)
        if char in "\"'`":
            return self.read_strings(pos, context)
        number = _NUMBER.match(text, pos)
        if number:
            literal = number.group()
            return (float(literal) if any(c in literal for c in ".eE") else int(literal)), number.end()
        bare = _BARE.match(text, pos)
        if bare:
            word = bare.group()
            return (_LITERALS[word] if word in _LITERALS else word), bare.end()
        raise self.fail(f"unexpected {char!r} where a value should start", pos)

    def read_object(self, pos: int) -> tuple[object, int]:
        result: dict[str, object] = {}
        while True:
            pos = _skip_space(self.text, pos)
            if pos >= len(self.text):
                return result, pos
            if self.text[pos] in "}]":
                return result, pos + 1
            key, pos = self.read_key(pos)
            pos = _skip_space(self.text, pos)
            if pos < len(self.text) and self.text[pos] in ":=":
                pos += 1
            elif pos < len(self.text):
                raise self.fail(f"expected ':' after the key {key!r}", pos)
            result[key], pos = self.read(pos, "object")
            pos = self.after_member(pos, "}")

    def read_array(self, pos: int) -> tuple[object, int]:
        result: list[object] = []
        while True:
            pos = _skip_space(self.text, pos)
            if pos >= len(self.text):
                return result, pos
            if self.text[pos] in "]}":
                return result, pos + 1
            value, pos = self.read(pos, "array")
            result.append(value)
            pos = self.after_member(pos, "]")

    def after_member(self, pos: int, close: str) -> int:
        """Step over the comma after a member; tolerate a missing one at a line break."""
        start = pos
        pos = _skip_space(self.text, pos)
        if pos >= len(self.text) or self.text[pos] in "]}":
            return pos
        if self.text[pos] == ",":
            return pos + 1
        if "\n" in self.text[start:pos] or (self.guess_quotes and _KEY_AHEAD.match(self.text, pos)):
            return pos
        raise self.fail(f"expected ',' or '{close}' after a value, found {self.text[pos]!r}", pos)

    def read_key(self, pos: int) -> tuple[str, int]:
        if self.text[pos] in "\"'`":
            key, end = self.read_string(pos, "key")
            return key, end
        bare = re.compile(r"[A-Za-z_$][\w$\-]*").match(self.text, pos)
        if not bare:
            raise self.fail(f"expected a quoted key, found {self.text[pos]!r}", pos)
        return bare.group(), bare.end()

    def read_strings(self, pos: int, context: Context) -> tuple[str, int]:
        """One string, or several joined by `+`."""
        value, pos = self.read_string(pos, context)
        while True:
            ahead = _skip_space(self.text, pos)
            if ahead >= len(self.text) or self.text[ahead] != "+":
                return value, pos
            ahead = _skip_space(self.text, ahead + 1)
            if ahead >= len(self.text) or self.text[ahead] not in "\"'`":
                raise self.fail("expected a string after '+'", ahead)
            more, pos = self.read_string(ahead, context)
            value += more

    def read_string(self, pos: int, context: Context) -> tuple[str, int]:
        text = self.text
        quote = text[pos]
        if text.startswith(quote * 3, pos) and quote != "`":
            end = text.find(quote * 3, pos + 3)
            end = len(text) if end < 0 else end
            return text[pos + 3:end], min(len(text), end + 3)
        out: list[str] = []
        i = pos + 1
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text):
                piece, i = self.read_escape(i)
                out.append(piece)
                continue
            if char == quote and self.closes(i + 1, quote, context):
                return "".join(out), i + 1
            out.append(char)
            i += 1
        if self.guess_quotes:
            raise self.fail("a string is never closed", pos)
        return "".join(out), i

    def read_escape(self, i: int) -> tuple[str, int]:
        code = self.text[i + 1]
        if code in _ESCAPES:
            return _ESCAPES[code], i + 2
        if code == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", self.text[i + 2:i + 6]):
            return chr(int(self.text[i + 2:i + 6], 16)), i + 6
        return "\\" + code, i + 2

    def closes(self, pos: int, quote: str, context: Context) -> bool:
        """Whether a quote at pos-1 ends the string: always in strict mode, by what follows in guessing mode."""
        if not self.guess_quotes or quote != '"':
            return True
        text = self.text
        ahead = _skip_space(text, pos)
        if ahead >= len(text):
            return True
        char = text[ahead]
        if context == "key":
            return char == ":"
        if context == "array":
            return char in ",]"
        if context == "top":
            return False
        if char == "}" or _KEY_AHEAD.match(text, ahead):
            return True
        return char == "," and (_KEY_AHEAD.match(text, ahead + 1) is not None
                                or _skip_space(text, ahead + 1) >= len(text)
                                or text[_skip_space(text, ahead + 1)] == "}")
