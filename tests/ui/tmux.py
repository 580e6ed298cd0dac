"""Drive a real terminal: a private tmux server running one command, keys sent, the screen read back."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest


def need_tmux() -> str:
    found = shutil.which("tmux")
    if found is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    return found


class Tmux:
    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], width: int = 120, height: int = 40) -> None:
        self.tmux = need_tmux()
        self.name = f"hame-test-{uuid.uuid4().hex[:8]}"
        command = f"cd {shlex.quote(str(cwd))} && {shlex.join(argv)}; echo EXITED:$?; sleep 600"
        env = {k: v for k, v in {**os.environ, **env}.items() if not k.startswith("TMUX")}
        self._tmux("-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height), command, env=env)

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run([self.tmux, "-L", self.name, *args], capture_output=True, text=True, env=env,
                              timeout=10, check=True)
        return done.stdout

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-l", text)

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def screen(self, colors: bool = False) -> str:
        return self._tmux("capture-pane", "-p", *(["-e"] if colors else []))

    def wait_for(self, expected: str | Callable[[str], bool], timeout: float = 20, colors: bool = False) -> str:
        check = expected if callable(expected) else (lambda screen: expected in screen)
        end = time.monotonic() + timeout
        while True:
            screen = self.screen(colors)
            if check(screen):
                return screen
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {expected!r}; the screen:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.name, "kill-server"], capture_output=True, timeout=10)
