"""One-token edits of a suspicious statement, tried before a model writes anything (tactics/fill_in.py): the
commonest shapes of one-line bugs ("simple stupid bugs": a comparison's boundary, a swapped operator, a negated or
widened condition, a literal off by one, a wrong `and`/`or`, `is`/`is not`, `in`/`not in`, `True`/`False`) and
what the error raised at the line names (a misspelt attribute, renamed everywhere in the file; a value of the wrong
type converted where the error shows it used; a default for max() of nothing, for a None looped over, for a missing
key: the fix templates of Python's commonest type and value errors). The check decides; the edits only propose."""

from __future__ import annotations

import builtins
import difflib
import io
import keyword
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

MAX_MUTANTS = 12  # per statement, the error's first
SWAPS = {"<": ("<=",), "<=": ("<",), ">": (">=",), ">=": (">",), "==": ("!=",), "!=": ("==",),
         "+": ("-",), "-": ("+",), "*": ("/",), "/": ("*", "//"), "//": ("/",), "+=": ("-=",), "-=": ("+=",),
         "and": ("or",), "or": ("and",), "True": ("False",), "False": ("True",)}
CONVERTERS = ("str", "int", "float", "list", "tuple", "dict", "set")
NO_ATTRIBUTE = re.compile(r"AttributeError: '(\w+)' object has no attribute '(\w+)'")
OPERANDS = re.compile(r"TypeError: unsupported operand type\(s\) for ([^:]+): '(\w+)' and '(\w+)'")
CONCATENATE = re.compile(r'TypeError: can only concatenate (\w+) \(not "(\w+)"\) to \w+')
NOT_DEFINED = re.compile(r"NameError: name '(\w+)' is not defined")
EMPTY = re.compile(r"ValueError: (max|min)\(\) (?:arg|iterable argument) is an empty sequence")
NOT_ITERABLE = re.compile(r"TypeError: 'NoneType' object is not iterable")
KEY_ERROR = re.compile(r"KeyError: ")
BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


@dataclass(frozen=True)
class Mutant:
    """The statement's new lines, what changed (for the notice), and a rename to make in the whole file too."""

    lines: tuple[str, ...]
    what: str
    rename: tuple[str, str] | None = None  # (old attribute, new attribute): `.old` becomes `.new` everywhere


@dataclass(frozen=True)
class Tok:
    kind: int
    text: str
    start: int  # offsets in the statement's text
    end: int


def mutants(lines: list[str], error: str = "", file_text: str = "") -> list[Mutant]:
    """Edits of the statement `lines` (its original indentation kept), the error's first, at most MAX_MUTANTS;
    `error` is pytest's error line when the statement raised it, `file_text` the module (names to respell)."""
    text = "\n".join(lines)
    toks = tokens(text)
    if not toks:
        return []
    out: list[Mutant] = [*from_error(text, toks, error, file_text), *shapes(text, toks)]
    seen, unique = {text}, []
    for m in out:
        key = "\n".join(m.lines)
        if key not in seen:
            seen.add(key)
            unique.append(m)
    return unique[:MAX_MUTANTS]


def tokens(text: str) -> list[Tok]:
    """The statement's tokens with offsets; [] when it does not lex (its first line's indent is not an issue)."""
    indent = len(text) - len(text.lstrip(" \t"))
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)

    def at(row: int, col: int) -> int:  # the first line was lexed without its indent
        return starts[row - 1] + col + (indent if row == 1 else 0)

    out = []
    try:
        for t in tokenize.generate_tokens(io.StringIO(text[indent:]).readline):
            if t.type in (tokenize.OP, tokenize.NAME, tokenize.NUMBER, tokenize.STRING):
                out.append(Tok(t.type, t.string, at(*t.start), at(*t.end)))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    return out


def edit(text: str, start: int, end: int, new: str, what: str, rename: tuple[str, str] | None = None) -> Mutant:
    return Mutant(tuple((text[:start] + new + text[end:]).split("\n")), what, rename)


def shapes(text: str, toks: list[Tok]) -> Iterable[Mutant]:
    """The one-token bug shapes, in the order of how often they are the bug: boundaries and operators, negation,
    literals off by one."""
    for i, t in enumerate(toks):
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        prev = toks[i - 1].text if i else ""
        if t.text == "in" and loop_in(toks, i):
            continue
        if t.text in SWAPS and (t.kind == tokenize.OP or t.text in ("and", "or", "True", "False")):
            for new in SWAPS[t.text]:
                yield edit(text, t.start, t.end, new, f"`{t.text}` -> `{new}`")
        elif t.text == "is":
            yield (edit(text, t.start, toks[i + 1].end, "is", "`is not` -> `is`") if nxt == "not"
                   else edit(text, t.start, t.end, "is not", "`is` -> `is not`"))
        elif t.text == "in":
            yield (edit(text, toks[i - 1].start, t.end, "in", "`not in` -> `in`") if prev == "not"
                   else edit(text, t.start, t.end, "not in", "`in` -> `not in`"))
        elif t.text == "not" and nxt != "in" and prev != "is":
            end = toks[i + 1].start if i + 1 < len(toks) else t.end
            yield edit(text, t.start, end, "", "`not` dropped")
    if toks[0].text in ("if", "elif", "while") and toks[-1].text == ":" and len(toks) > 2 and toks[1].text != "not":
        cond = text[toks[1].start : toks[-1].start].rstrip()
        yield edit(text, toks[1].start, toks[-1].start, f"not ({cond})", "condition negated")
    for i, t in enumerate(toks):
        if t.kind == tokenize.NUMBER and t.text.isdigit():
            n = int(t.text)
            for new in (n + 1, n - 1):
                if new == 0 and i >= 2 and toks[i - 1].text in ("+", "-") and (
                        atom(toks[i - 2]) or toks[i - 2].text in (")", "]")):  # `x - 1` -> `x`, not `x - 0`
                    yield edit(text, toks[i - 2].end, t.end, "", f"`{toks[i - 1].text} {n}` dropped")
                elif new >= 0:
                    yield edit(text, t.start, t.end, str(new), f"`{n}` -> `{new}`")


def loop_in(toks: list[Tok], i: int) -> bool:
    """Token `i` (an `in`) is the first after a `for`: the loop's, not a membership test."""
    for t in reversed(toks[:i]):
        if t.text == "in":
            return False
        if t.text == "for":
            return True
    return False


def from_error(text: str, toks: list[Tok], error: str, file_text: str) -> Iterable[Mutant]:
    """Edits the error raised at this statement points to."""
    if m := NO_ATTRIBUTE.search(error):
        owner, attr = m.groups()
        for i, t in enumerate(toks):
            if t.text == attr and i and toks[i - 1].text == ".":
                for name in respellings(attr, owner, file_text):
                    yield edit(text, t.start, t.end, name, f"`.{attr}` -> `.{name}` (everywhere)", (attr, name))
                kind = next((c for c in CONVERTERS if hasattr(getattr(builtins, c), attr)), None)
                if kind and kind != owner and i >= 2 and (start := operand_before(toks, i - 2)) is not None:
                    recv = text[toks[start].start : toks[i - 2].end]
                    yield edit(text, toks[start].start, toks[i - 2].end, f"{kind}({recv})", f"`{recv}` as {kind}")
    if m := OPERANDS.search(error):
        op, left, right = (g.strip() for g in m.groups())
        yield from converted(text, toks, op, left, right)
    if m := CONCATENATE.search(error):
        yield from converted(text, toks, "+", m.group(1), "")  # the right operand is not a `want` yet
    if m := EMPTY.search(error):  # max()/min() of nothing: a default for no values
        for i, t in enumerate(toks[:-1]):
            if t.text == m.group(1) and toks[i + 1].text == "(" and (end := matching(toks, i + 1)) is not None:
                yield edit(text, toks[end].start, toks[end].start, ", default=0", f"`{t.text}()` with default=0")
    if NOT_ITERABLE.search(error) and toks[0].text == "for" and toks[-1].text == ":":  # a None to loop over
        yield edit(text, toks[-1].start, toks[-1].start, " or ()", "`or ()` for a None to loop over")
    if KEY_ERROR.search(error):  # a missing key read: `.get` gives None
        for i, t in enumerate(toks[1:-1], 1):
            if t.text == "[" and (atom(toks[i - 1]) or toks[i - 1].text in (")", "]")) and (
                    end := matching(toks, i)) is not None and (end + 1 == len(toks) or toks[end + 1].text != "="):
                key = text[t.end : toks[end].start]
                yield edit(text, t.start, toks[end].end, f".get({key})", "`[key]` -> `.get(key)`")
    if (m := NOT_DEFINED.search(error)) and file_text:
        name = m.group(1)
        names = {w for w in re.findall(r"\b[A-Za-z_]\w*\b", file_text) if w != name}
        for new in difflib.get_close_matches(name, sorted(names), n=3, cutoff=0.75):
            for t in toks:
                if t.text == name:
                    yield edit(text, t.start, t.end, new, f"`{name}` -> `{new}`")
                    break


def respellings(attr: str, owner: str, file_text: str) -> list[str]:
    """Names close to a missing attribute: the builtin type's own when it is one, else the attributes and
    definitions the module names."""
    kind = getattr(builtins, owner, None)
    if isinstance(kind, type):
        names = set(dir(kind))
    else:
        names = set(re.findall(r"(?:\.|\bdef |\bclass )([A-Za-z_]\w*)", file_text))
    names.discard(attr)
    return difflib.get_close_matches(attr, sorted(n for n in names if not n.startswith("__")), n=2, cutoff=0.8)


def converted(text: str, toks: list[Tok], op: str, left: str, right: str) -> Iterable[Mutant]:
    """Each `op` of the statement with one operand converted to the other's type, where that type is a builtin
    one (a value of the wrong type reached the operator)."""
    for i, t in enumerate(toks):
        if t.text != op or t.kind != tokenize.OP:
            continue
        if right in CONVERTERS and left != right and (start := operand_before(toks, i - 1)) is not None:
            value = text[toks[start].start : toks[i - 1].end]
            yield edit(text, toks[start].start, toks[i - 1].end, f"{right}({value})", f"`{value}` as {right}")
        if left in CONVERTERS and left != right and (end := operand_after(toks, i + 1)) is not None:
            value = text[toks[i + 1].start : toks[end].end]
            yield edit(text, toks[i + 1].start, toks[end].end, f"{left}({value})", f"`{value}` as {left}")


def operand_before(toks: list[Tok], last: int) -> int | None:
    """The index of the first token of the primary expression (`a.b(c)[d]`) that ends at token `last`."""
    i = last
    while i >= 0:
        t = toks[i]
        if t.text in (")", "]"):
            i = matching(toks, i)
            if i is None:
                return None
            if i > 0 and (toks[i - 1].kind == tokenize.NAME or toks[i - 1].text in (")", "]")):
                i -= 1
                continue
            return i
        if not atom(t):
            return None
        if i >= 2 and toks[i - 1].text == ".":
            i -= 2
            continue
        return i
    return None


def operand_after(toks: list[Tok], first: int) -> int | None:
    """The index of the last token of the primary expression that starts at token `first`."""
    if first >= len(toks) or not (atom(toks[first]) or toks[first].text in ("(", "[")):
        return None
    i = first if atom(toks[first]) else matching(toks, first)
    while i is not None and i + 1 < len(toks):
        nxt = toks[i + 1].text
        if nxt == "." and i + 2 < len(toks) and toks[i + 2].kind == tokenize.NAME:
            i += 2
        elif nxt in ("(", "["):
            i = matching(toks, i + 1)
        else:
            break
    return i


def atom(t: Tok) -> bool:
    return t.kind in (tokenize.NUMBER, tokenize.STRING) or (t.kind == tokenize.NAME and (
        not keyword.iskeyword(t.text) or t.text in ("True", "False", "None")))


def matching(toks: list[Tok], i: int) -> int | None:
    """The index of the bracket that matches the one at `i`: forward from an opening one, back from a closing one."""
    step = BRACKETS[toks[i].text]
    depth = 0
    for j in range(i, len(toks) if step > 0 else -1, step):
        depth += BRACKETS.get(toks[j].text, 0)
        if depth == 0:
            return j
    return None
