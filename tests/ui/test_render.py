"""The pure parts of the interactive UI: colored diffs, diffs of real file changes, status text, Markdown lines."""

from __future__ import annotations

from pathlib import Path

from hame.agent.limits import Meter, Price
from hame.events import AssistantTurn, ToolCallStart, ToolResultEvent
from hame.ui.diffs import FileDiffs, diff_text, unified
from hame.ui.mdstream import render_lines
from hame.ui.status import status_line, usage_report, working_line


def test_diff_lines_are_colored_by_kind_and_long_diffs_are_cut() -> None:
    text = diff_text(unified("a\nb\n", "a\nc\n", "f.py"))
    styles = {line: str(span.style) for span in text.spans
              for line in [text.plain[span.start:span.end].rstrip("\n")]}
    assert styles == {"--- a/f.py": "bold", "+++ b/f.py": "bold", "@@ -1,2 +1,2 @@": "cyan",
                      "-b": "red", "+c": "green"}
    long = diff_text(unified("", "x\n" * 200, "big"), max_lines=10)
    assert long.plain.splitlines()[-1] == "… 193 more diff lines"


def test_file_diffs_compare_the_file_before_the_call_with_after(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    diffs = FileDiffs(tmp_path)
    diffs(ToolCallStart(step=1, call_id="c1", name="edit_file", arguments={"path": "a.py"}))
    diffs(ToolCallStart(step=1, call_id="c2", name="write_file", arguments={"path": "../outside.py"}))
    (tmp_path / "a.py").write_text("x = 2\n")
    done = diffs(ToolResultEvent(step=1, call_id="c1", name="edit_file", ok=True, output="Edited a.py."))
    assert done is not None and "-x = 1\n+x = 2\n" in done
    assert diffs(ToolResultEvent(step=1, call_id="c2", name="write_file", ok=True, output="")) is None


def test_status_line_shows_model_tokens_cost_and_context_fill() -> None:
    meter = Meter(Price(2.5, 10.0, 1.25), context_window=16384)
    meter(AssistantTurn(step=1, text="", tool_calls=[], usage={"input_tokens": 8000, "output_tokens": 192}))
    assert status_line("openai:gpt-4o", meter, 1) == "openai:gpt-4o · 1 steps · 8.2k tok · $0.0219 · ctx 50%"
    assert working_line("step 2 · thinking", 1.25, Meter(None), (1500, 20)).startswith(
        "step 2 · thinking · 1.2s · ↑1.5k ↓20 tok · session 0 tok $?")


def test_markdown_renders_to_terminal_lines() -> None:
    lines = [line.plain.rstrip() for line in render_lines("**Fixed** `add()`:\n\n- one\n- two\n", 60)]
    assert lines == ["Fixed add():", "", " • one", " • two"]


def test_usage_report_lists_steps_and_the_session_total() -> None:
    meter = Meter(Price(2.5, 10.0, 1.25))
    meter(AssistantTurn(step=1, text="", tool_calls=[],
                        usage={"input_tokens": 12000, "output_tokens": 300, "cached_tokens": 8000}))
    assert usage_report(meter).splitlines() == [
        "step   1  in  12.0k  (cached   8.0k)  out    300  $0.0230",
        "total     in  12.0k  (cached   8.0k)  out    300  $0.0230"]
    assert usage_report(Meter(None)).endswith("$?  (no price for this model)")


def test_the_rich_view_shows_the_todo_list_and_subagent_calls() -> None:
    from io import StringIO

    from rich.console import Console

    from hame.events import SubagentEvent, SubagentStart, TodoUpdate
    from hame.ui.view import TaskView

    out = StringIO()
    view = TaskView(Console(file=out, width=100, color_system=None))
    view(TodoUpdate(items=[{"text": "read calc.py", "status": "done"}, {"text": "fix add", "status": "in_progress"},
                           {"text": "run tests", "status": "pending"}]))
    view(SubagentStart(agent=1, depth=1, task="Where is add defined?", tools="read-only", max_steps=10))
    view(SubagentEvent(agent=1, depth=1, event=ToolCallStart(step=1, call_id="c", name="read_file",
                                                              arguments={"path": "calc.py"})))
    assert out.getvalue().splitlines() == [
        "  todo", "    [x] read calc.py", "    [>] fix add", "    [ ] run tests",
        "  ↳ subagent 1: Where is add defined?", '    ↳ [1] read_file {"path": "calc.py"}']
