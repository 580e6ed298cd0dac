"""The real embedded model, through the real server and CLI, fixes a one-character bug (about a minute on 2 CPUs).

No model is configured and no key is set: hame's default, the embedded local model, does the work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.providers.model_store import MODELS, ModelNotInstalled, find_parts

from ..conftest import make_workspace

pytest.importorskip("xllamacpp")


def test_default_local_model_fixes_a_typo(tmp_path: Path, hame) -> None:
    try:
        find_parts(MODELS["qwen2.5-coder-1.5b"])
    except ModelNotInstalled as exc:  # a machine without the weights: say how to install them
        pytest.skip(str(exc))
    ws = make_workspace(tmp_path / "ws", {
        "greet.py": "def greet(name):\n    return 'Hello ' + nme\n",
        "test_greet.py": "from greet import greet\n\n\ndef test_greet():\n    assert greet('Ada') == 'Hello Ada'\n"})
    r = hame("-p", "The test in test_greet.py fails because of a typo in greet.py. Fix greet.py so the test passes.",
             "--cwd", str(ws), "--output-format", "json", timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert "+ name" in (ws / "greet.py").read_text()
    assert "greet('Ada') == 'Hello Ada'" in (ws / "test_greet.py").read_text()
    assert out["stop_reason"] == "completed" and out["result"].endswith("passes.")  # ended by the passing check
    if out["steps"] > 1:
        assert out["usage"]["cached_tokens"] > 0  # the server's KV cache was reused across turns
