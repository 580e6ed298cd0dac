"""The embedded model's first reply on a CPU takes long: headless text mode says what it is doing at least every
2 seconds (marked slow: it loads the real model)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hame.providers.model_store import MODELS, ModelNotInstalled, best_installed, find_parts

from ..conftest import make_workspace

pytest.importorskip("xllamacpp")


@pytest.mark.slow
def test_a_headless_run_prints_progress_at_least_every_2_seconds(tmp_path: Path, state_dir: Path) -> None:
    try:
        find_parts(MODELS[best_installed()])
    except (ModelNotInstalled, KeyError) as exc:
        pytest.skip(str(exc))
    ws = make_workspace(tmp_path / "ws", {"notes.py": "x = 1\n" * 200})
    env = {**os.environ, "HAME_STATE_DIR": str(state_dir), "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
           "HAME_PROMPT_CACHE": "off"}
    proc = subprocess.Popen([sys.executable, "-m", "hame", "-p", "Say hello.", "--cwd", str(ws), "--max-steps", "1"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    stamps: list[tuple[float, str]] = []
    assert proc.stderr is not None
    for line in proc.stderr:
        stamps.append((time.monotonic(), line.rstrip()))
    proc.wait(timeout=600)
    lines = [text for _, text in stamps]
    assert any("ready at" in text and "s (" in text for text in lines), lines  # the load time, once
    request = next(i for i, text in enumerate(lines) if "ready at" in text)
    waiting = [t for t, text in stamps[request:] if text.startswith("[1] ")]
    assert any("reading the prompt" in text for text in lines), lines
    gaps = [b - a for a, b in zip(waiting, waiting[1:], strict=False)]
    assert waiting and max(gaps, default=0) < 3.0, gaps
