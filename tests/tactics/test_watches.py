"""A small model's reply that repeats the task instead of answering it is cut while it streams (tactics/watches.py),
and the next try is told why; code that holds the task's text inside its block is never cut."""

from __future__ import annotations

import json
from pathlib import Path

from hame.tactics.echo import echo_watch

from ..conftest import make_workspace, run_small_model
from ..fakes.openai_server import reply

VERSES = ["This is the house that Jack built, and it stands on the hill.",
          "This is the malt that lay in the house that Jack built on the hill.",
          "This is the rat that ate the malt that lay in the house that Jack built.",
          "This is the cat that killed the rat that ate the malt that lay in the house.",
          "This is the dog that worried the cat that killed the rat that ate the malt.",
          "This is the cow with the crumpled horn that tossed the dog that worried the cat.",
          "This is the maiden all forlorn that milked the cow with the crumpled horn."]
TASK = "# House\n\nRecite the nursery rhyme, one verse per line:\n\n" + "\n".join(VERSES) + "\n\nChange house.py."
FILES = {"house.py": "def recite():\n    pass\n",
         "house_test.py": "from house import recite\n\n\ndef test_recite():\n"
                          f"    assert recite() == {VERSES!r}\n"}
CHECK = "python -m pytest -q house_test.py"
FIXED = "house.py\n```\ndef recite():\n    return \"\"\"" + "\n".join(VERSES) + "\"\"\".splitlines()\n```\n"


def test_the_watch_counts_the_tasks_prose_outside_code_blocks_only() -> None:
    request = "# Files named in the task\n## house.py\n```\n" + "\n".join(f"x{i} = '{v}'" for i, v in
                                                                         enumerate(VERSES)) + "\n```\n" + TASK
    echoing = echo_watch(request)
    assert echoing is not None
    assert echoing("To change house.py so that the tests pass:\n\n" + "\n".join(VERSES))
    assert not echoing("To change house.py:\n" + "\n".join(VERSES[:5]))  # five lines: a quote, not yet an echo
    assert not echoing(FIXED)  # the verses inside the code block are the solution
    assert not echoing(FIXED.replace("\n```\n", "\n"))  # ... also while the block is still open
    assert echo_watch("Fix the typo in greet.py.") is None  # too little prose to tell


def test_a_reply_echoing_the_task_is_cut_and_the_next_try_told_why(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    echo = "To change house.py so that the tests pass, recite:\n\n" + "\n".join(VERSES * 6) + "\n\nChange house.py."
    r, srv = run_small_model(hame, tmp_path, ws, [reply(echo), reply(FIXED)], TASK, "--check", CHECK,
                             profile="tiny-local")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stop_reason"] == "completed" and "splitlines" in (ws / "house.py").read_text()
    records = [json.loads(line) for line in Path(out["transcript"]).read_text().splitlines()]
    turns = [rec for rec in records if rec["type"] == "assistant"]
    assert turns[0]["finish_reason"] == "echoing_task" and len(turns[0]["text"]) < len(echo)  # cut early
    assert turns[1]["finish_reason"] != "echoing_task"  # the verses inside the code block are not an echo
    assert "repeating the task's text" in json.dumps(srv.requests[1]["messages"])
