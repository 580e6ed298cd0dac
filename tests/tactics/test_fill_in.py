"""The infill tactic end to end with the scripted model (its fills scripted, in the order the search asks): on a
multi-file repository, the suspicious statement is filled in the middle and the check decides; a fill that helps
one of two failing tests is kept while the other is searched; nothing that passes puts every file back and the
model is asked as before. And the pure parts: which holes, in which order; what of a fill is used."""

from __future__ import annotations

import json
from pathlib import Path

from hame.context.defindex import DefSpan, index_source
from hame.context.holes import Hole, holes
from hame.context.localize import Evidence, Site
from hame.context.localize_signals import Frame
from hame.context.trace_path import Call
from hame.tactics.fill_in import bodies, enough, moved

from ..conftest import make_workspace

STATS = ('"""Small statistics."""\n\n\n'
         'def mean(xs):\n'
         '    """The arithmetic mean; 0 for no values."""\n'
         '    total = sum(xs)\n'
         '    return total / len(xs)\n\n\n'
         'def spread(xs):\n'
         '    """The largest value less the smallest; 0 for no values."""\n'
         '    return max(xs) - min(xs)\n')
REPO = {"stats/__init__.py": "", "stats/core.py": STATS,
        "stats/io.py": "def load(path):\n    return [float(x) for x in open(path).read().split()]\n",
        "tests/__init__.py": "",
        "tests/test_core.py": ("from stats.core import mean, spread\n\n\n"
                               "def test_mean():\n    assert mean([1, 2, 3]) == 2\n\n\n"
                               "def test_mean_of_nothing():\n    assert mean([]) == 0\n\n\n"
                               "def test_spread_of_nothing():\n    assert spread([]) == 0\n")}
CHECK = "python -m pytest -q tests/test_core.py"
TASK = "mean() and spread() crash on an empty list; they should give 0."


def run(hame, tmp_path: Path, turns: list[dict], env: dict | None = None) -> tuple[dict, Path, list[dict]]:
    ws = make_workspace(tmp_path / "ws", REPO)
    script = tmp_path / "model.jsonl"
    script.write_text("".join(json.dumps(t) + "\n" for t in turns))
    r = hame("-p", TASK, "--cwd", str(ws), "--model", f"scripted:{script}", "--profile", "tiny-local",
             "--check", CHECK, "--output-format", "json",
             env={"HAME_TACTICS": "+fill_in", "HAME_PLAIN_RETRIES": "0", **(env or {})})
    assert r.returncode in (0, 1), r.stderr
    log = [json.loads(line) for line in Path(f"{script}.requests.jsonl").read_text().splitlines()]
    return json.loads(r.stdout), ws, log


def test_both_sites_filled_in_turn_and_the_check_decides(tmp_path: Path, hame) -> None:
    fills = ["    return total / max(len(xs), 1)\n",  # the line mean raised at: one test fewer fails, kept
             "    return max(xs) - min(xs) if xs else 0\n"]  # spread's line: the check passes
    out, ws, log = run(hame, tmp_path, [{"infill": f} for f in fills])
    code = (ws / "stats" / "core.py").read_text()
    assert code == STATS.replace("total / len(xs)", "total / max(len(xs), 1)").replace(
        "return max(xs) - min(xs)\n", "return max(xs) - min(xs) if xs else 0\n")  # the rest byte for byte
    assert out["stop_reason"] == "completed" and out["steps"] == 0 and out["files_changed"] == ["stats/core.py"]
    assert out["check"]["passed"] and out["usage"]["output_tokens"] > 0  # the fills' tokens are counted
    first = log[0]["infill"]
    assert first["prefix"] == 'def mean(xs):\n    """The arithmetic mean; 0 for no values."""\n    total = sum(xs)\n'
    assert first["suffix"] == "\n"  # mean's last line is the hole: nothing of it after
    tests = dict(first["extra"])["tests/test_core.py"]
    assert tests.startswith(f"# These tests fail because of a bug: {TASK}\n\n")
    assert "def test_mean_of_nothing():" in tests and "# fails: ZeroDivisionError: division by zero" in tests
    assert first["temperature"] == 0.0  # the greedy fill first
    assert all("messages" not in entry for entry in log)  # the chat model was never asked


def test_no_fill_that_passes_puts_the_files_back_and_asks_the_model(tmp_path: Path, hame) -> None:
    fixed = STATS.replace("    return total / len(xs)\n", "    return total / len(xs) if xs else 0\n").replace(
        "    return max(xs) - min(xs)\n", "    return max(xs) - min(xs) if xs else 0\n")
    turns = [{"infill": "    return total / len(xs) + 0\n"},  # compiles, fails as before: not kept
             {"infill": "    return total /\n"},  # does not compile: never checked
             {"text": f"stats/core.py\n```python\n{fixed}```\n"}]
    out, ws, log = run(hame, tmp_path, turns, env={"HAME_FILL_IN_SECONDS": "30"})
    assert out["stop_reason"] == "completed" and out["steps"] == 1
    assert (ws / "stats" / "core.py").read_text() == fixed
    chat = [e for e in log if "messages" in e]
    first = next(m["content"] for m in chat[0]["messages"] if m["role"] == "user")
    assert "return total / len(xs)\n" in first and "+ 0" not in first  # the model saw the code as it was


def test_a_proposal_that_hangs_the_check_is_cut_short_and_the_search_goes_on(tmp_path: Path, hame) -> None:
    fills = ["    while True:\n        pass\n",  # the check never ends: cut long before the check's own minute
             "    return total / max(len(xs), 1)\n", "    return max(xs) - min(xs) if xs else 0\n"]
    out, ws, log = run(hame, tmp_path, [{"infill": f} for f in fills], env={"HAME_FILL_IN_SECONDS": "40"})
    assert out["stop_reason"] == "completed" and out["steps"] == 0 and out["check"]["passed"]
    assert "while True" not in (ws / "stats" / "core.py").read_text()


def test_a_fill_that_breaks_another_test_is_not_kept(tmp_path: Path, hame) -> None:
    turns = [{"infill": "    return 0\n"},  # mean([]) passes, mean([1, 2, 3]) now fails: not better
             {"text": "I cannot fix it."}]
    out, ws, log = run(hame, tmp_path, turns, env={"HAME_FILL_IN_SECONDS": "30"})
    assert (ws / "stats" / "core.py").read_text() == STATS
    assert out["stop_reason"] != "completed" and any("messages" in e for e in log)  # the model was asked


SOURCE = ("def clip(x, lo, hi):\n"  # 1
          "    if x < lo:\n"  # 2
          "        return lo\n"  # 3
          "    total = (x +\n"  # 4
          "             0)\n"  # 5
          "    return min(total, hi)\n")  # 6


def test_holes_put_a_traced_branch_condition_first_and_cover_whole_statements() -> None:
    source = index_source("pkg/m.py", SOURCE)
    assert source is not None
    span = next(s for s in source.spans if s.qualname == "clip")
    ev = Evidence(ran=("pkg/m.py", Call("clip", (2, 4, 6), "x=5", "returned 5")))
    got = holes({"pkg/m.py": source}, ev, [])
    assert [(h.start, h.end) for h in got] == [(2, 2), (2, 1), (6, 6), (6, 5), (4, 5), (4, 3)]
    assert all(h.span == span for h in got)
    raised = Evidence(sites=[Site("test_clip", Frame("tests/test_m.py", 3), Frame("pkg/m.py", 5), "E  TypeError")])
    assert [(h.start, h.end) for h in holes({"pkg/m.py": source}, raised, [])][:3] == [(4, 5), (4, 3), (6, 5)]


def test_what_of_a_fill_is_used() -> None:
    span = DefSpan("m.py", "f", 1, 6)
    one, gap = Hole("m.py", 3, 3, span), Hole("m.py", 3, 2, span)
    # a replacement: the hole's lines and one more, the suffix it went on to re-type cut
    assert bodies("    return a\n    return b\n", False, one, "    x = 1\n") == [["    return a"],
                                                                              ["    return a", "    return b"]]
    assert bodies("    return a\n    x = 1\n    y\n", False, one, "    x = 1\n") == [["    return a"]]
    assert bodies("    return a\n    retu", True, one, "") == [["    return a"]]  # cut at the limit: unfinished
    assert bodies("a\nb\nc\nd\n", False, one, "") == [["a"], ["a", "b"]]
    # an insertion: its first statement, a block under it included
    assert bodies("    if not xs:\n        return 0\n    total = 1\n", True, gap, "") == [
        ["    if not xs:", "        return 0"]]
    assert bodies("", False, gap, "") == [] and bodies("    # the last element\n", False, one, "") == []
    assert enough("    if not xs:\n        return 0\n    t", gap, "") and not enough("    if not xs:\n", gap, "")
    assert enough("a\nb\nc\n", one, "") and not enough("a\nb\n", one, "")
    kept = [(2, 2, 1)]  # line 2 became two lines
    assert moved(Hole("m.py", 4, 4, span), kept) == Hole("m.py", 5, 5, DefSpan("m.py", "f", 1, 7))
    assert moved(Hole("m.py", 2, 1, span), kept) is None  # its line was changed


def test_a_one_file_exercise_is_not_filled(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"calc.py": "def add(a, b):\n    return a - b\n",
                                          "test_calc.py": "from calc import add\n\n\ndef test_add():\n"
                                                          "    assert add(1, 2) == 3\n"})
    script = tmp_path / "model.jsonl"
    script.write_text(json.dumps({"infill": "    return a + b\n"}) + "\n"
                      + json.dumps({"text": "calc.py\n```python\ndef add(a, b):\n    return a + b\n```\n"}) + "\n")
    r = hame("-p", "Fix add in calc.py.", "--cwd", str(ws), "--model", f"scripted:{script}", "--profile",
             "tiny-local", "--check", "python -m pytest -q test_calc.py", "--output-format", "json",
             env={"HAME_TACTICS": "+fill_in", "HAME_PLAIN_RETRIES": "0"})
    log = [json.loads(line) for line in Path(f"{script}.requests.jsonl").read_text().splitlines()]
    assert json.loads(r.stdout)["steps"] == 1 and not any("infill" in e for e in log)  # asked as before, no fill


def test_a_fill_that_passes_the_check_but_breaks_a_docstring_example_is_not_kept(tmp_path: Path, hame) -> None:
    code = 'def scale(x, k):\n    """`x` times `k`.\n\n    >>> scale(2, 2)\n    4\n    """\n    return x + k\n'
    ws = make_workspace(tmp_path / "ws", {"calc/__init__.py": "", "calc/core.py": code,
                                          "calc/more.py": "def twice(x):\n    return 2 * x\n",
                                          "tests/test_core.py": "from calc.core import scale\n\n\n"
                                                                "def test_scale():\n    assert scale(1, 3) == 3\n"})
    script = tmp_path / "model.jsonl"
    script.write_text("".join(json.dumps({"infill": f}) + "\n" for f in ("    return k\n", "    return x * k\n")))
    r = hame("-p", "scale() adds instead of multiplying.", "--cwd", str(ws), "--model", f"scripted:{script}",
             "--profile", "tiny-local", "--check", "python -m pytest -q tests/test_core.py", "--output-format",
             "json", env={"HAME_PLAIN_RETRIES": "0"})
    assert json.loads(r.stdout)["stop_reason"] == "completed", r.stderr
    assert (ws / "calc" / "core.py").read_text() == code.replace("x + k", "x * k")  # `return k` passed the test only


BAG = ("class Bag:\n"
       "    def __init__(self, items, limit):\n"
       "        if len(items) > limit:\n"  # off by one: a bag holds fewer than `limit` items
       "            raise ValueError('too many items')\n"
       "        self.items = set(items)\n\n"
       "    def covers(self, other):\n"
       "        return self.items.issupserset(other.items)\n\n"
       "    def within(self, other):\n"
       "        return other.items.issupserset(self.items)\n")
BAG_TESTS = ("import pytest\n\nfrom bags.bag import Bag\n\n\n"
             "def test_limit():\n    with pytest.raises(ValueError):\n        Bag([1, 2], 2)\n\n\n"
             "def test_covers():\n    assert Bag([1, 2], 3).covers(Bag([1], 3))\n\n\n"
             "def test_within():\n    assert Bag([1], 3).within(Bag([1, 2], 3))\n")


def test_one_token_edits_repair_without_the_model(tmp_path: Path, hame) -> None:
    """A boundary off by one, then a name misspelt at two sites: each fixed by an edit of one token (the misspelt
    name everywhere in the file), the check deciding; the model is never asked and the rest of the file is kept."""
    for n, (bug, fixed) in enumerate([("> limit", ">= limit"), ("issupserset", "issuperset")]):
        code = BAG.replace("issupserset", "issuperset") if n == 0 else BAG.replace("> limit", ">= limit")
        ws = make_workspace(tmp_path / f"ws{n}", {"bags/__init__.py": "", "bags/bag.py": code,
                                                  "tests/__init__.py": "", "tests/test_bag.py": BAG_TESTS})
        script = tmp_path / f"model{n}.jsonl"
        script.write_text(json.dumps({"text": "I cannot fix it."}) + "\n")
        r = hame("-p", "Bag: the limit is off by one; covers()/within() crash.", "--cwd", str(ws), "--model",
                 f"scripted:{script}", "--profile", "tiny-local", "--check", "python -m pytest -q tests/test_bag.py",
                 "--output-format", "json", env={"HAME_PLAIN_RETRIES": "0"})
        out = json.loads(r.stdout)
        assert out["stop_reason"] == "completed" and out["steps"] == 0 and out["check"]["passed"], r.stderr
        assert (ws / "bags" / "bag.py").read_text() == code.replace(bug, fixed)
        assert fixed.split()[0] in out["result"]  # what was changed is said
        requests = Path(f"{script}.requests.jsonl")
        assert not requests.exists() or not requests.read_text().strip()  # no fill, no chat request


def test_holes_follow_the_calls_on_the_way_to_the_raise() -> None:
    code = ("def outer(x):\n"  # 1
            "    y = x - 1\n"  # 2
            "    z = y * 2\n"  # 3
            "    return inner(z)\n\n\n"  # 4
            "def inner(z):\n"  # 7
            "    return 10 // z\n")  # 8
    source = index_source("pkg/m.py", code)
    assert source is not None
    site = Site("test_outer", Frame("tests/test_m.py", 3), Frame("pkg/m.py", 8), "E  ZeroDivisionError",
                calls=(Frame("pkg/m.py", 4),))
    got = [(h.start, h.end) for h in holes({"pkg/m.py": source}, Evidence(sites=[site]), [])]
    assert got == [(8, 8), (8, 7), (4, 4), (4, 3), (3, 3), (3, 2), (2, 2), (2, 1)]  # the raise, then the caller up
