from __future__ import annotations

import pytest

from hame.tools.lenient_json import JsonSyntaxError, loads, parse_value


@pytest.mark.parametrize(("text", "value"), [
    ('{"a": [1, 2.5, -3e2]}', {"a": [1, 2.5, -300.0]}),
    ("{'a': 'b',}", {"a": "b"}),
    ('{"a": True, "b": None, "c": false}', {"a": True, "b": None, "c": False}),
    ('{a: 1, b-c: 2}', {"a": 1, "b-c": 2}),
    ('{"a": "x\ny\tz"}', {"a": "x\ny\tz"}),
    ('{"a": "\\d+\\u00e9"}', {"a": "\\d+é"}),
    ('{"a": 1\n "b": 2}', {"a": 1, "b": 2}),
    ('{"a": "x" + "y"}', {"a": "xy"}),
    ('{"a": """he said "hi"\n"""}', {"a": 'he said "hi"\n'}),
    ('{"a": `tick`}', {"a": "tick"}),
    ('{\n  // why\n  "a": 1\n}', {"a": 1}),
    ('{"a": {"b": [1, 2', {"a": {"b": [1, 2]}}),
    ('{"a": "cut', {"a": "cut"}),
    ('{"a": [1}', {"a": [1]}),
    ('{"code": "print("hi")", "n": 1}', {"code": 'print("hi")', "n": 1}),
    ('{"code": "f(\\"a\\", b)"}', {"code": 'f("a", b)'}),
    ('["a", "b"]', ["a", "b"]),
    ('{"path": "a.py" "limit": 3}', {"path": "a.py", "limit": 3}),
])
def test_reads(text: str, value: object) -> None:
    assert loads(text) == value


def test_parse_value_stops_after_one_value() -> None:
    assert parse_value('x = {"a": 1} and more', 4) == ({"a": 1}, 12)


@pytest.mark.parametrize("text", ['{"a": 1 2}', '{"a" 1}', "{@}", '{"a": 1} tail', '{"a": x y}'])
def test_errors_say_where(text: str) -> None:
    with pytest.raises(JsonSyntaxError, match=r"line 1 column \d+"):
        loads(text)
