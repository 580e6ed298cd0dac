"""Markdown rendered while it streams: the text so far is re-rendered as it grows; all but its last `window`
lines are printed for good (they scroll like normal output), the last ones stay in the live region, where they
may still change (a list or a code block being written)."""

from __future__ import annotations

import io
import time

from rich.console import Console
from rich.markdown import Markdown
from rich.text import Text

RENDER_EVERY_S = 0.08


class MarkdownStream:
    def __init__(self, console: Console, window: int = 8) -> None:
        self.console = console
        self.window = window
        self.text = ""
        self.printed = 0
        self.tail: list[Text] = []
        self.last_render = 0.0

    def add(self, delta: str) -> None:
        self.text += delta
        if time.monotonic() - self.last_render >= RENDER_EVERY_S:
            self._flush(final=False)

    def end(self) -> str:
        """Print what is left for good; returns the whole text and starts over."""
        if self.text:
            self._flush(final=True)
        text, self.text, self.printed, self.tail = self.text, "", 0, []
        return text

    def _flush(self, final: bool) -> None:
        self.last_render = time.monotonic()
        lines = render_lines(self.text, self.console.width, self.console.color_system is not None)
        stable = max(self.printed, len(lines) - (0 if final else self.window))
        for line in lines[self.printed:stable]:
            self.console.print(line, no_wrap=True, overflow="crop")
        self.printed = stable
        self.tail = lines[stable:]


def render_lines(text: str, width: int, color: bool = True) -> list[Text]:
    """`text` as rendered Markdown, one Text per terminal line (trailing blank lines dropped)."""
    out = Console(file=io.StringIO(), width=width, force_terminal=color, color_system="truecolor" if color else None)
    out.print(Markdown(text))
    lines = out.file.getvalue().splitlines()  # type: ignore[attr-defined]
    while lines and not Text.from_ansi(lines[-1]).plain.strip():
        lines.pop()
    return [Text.from_ansi(line) for line in lines]
