"""A tactic driven through the seam the loop uses: `build` the profile's list over a State, frame and `begin` a
request, then run the real tools and the real check with the ToolContext the tactics changed."""

from __future__ import annotations

from pathlib import Path

from hame import messages as msg
from hame.agent.autocheck import Checker
from hame.agent.protocol import ToolProtocol
from hame.events import Event
from hame.tactics import State, build
from hame.tools.base import ToolContext
from hame.tools.write_file import WriteFile


def started(names: list[str], ws: Path, check: str | None = None) -> tuple[State, list[Event]]:
    """The tactics `names` over a workspace, after a request began; the events they emitted."""
    events: list[Event] = []
    checker = Checker(check) if check else None
    state = build(names, State(events.append, ToolContext(workspace=ws), ToolProtocol("native", []), checker))
    state.begin(msg.user(state.framed("fix the code", None)))
    return state, events


def write(state: State, path: str, content: str) -> str:
    """What write_file tells the model for this write, with the tactics' filters in place."""
    tool = WriteFile()
    return tool.run(tool.validate({"path": path, "content": content}), state.ctx)
