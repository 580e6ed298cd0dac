"""`hame serve-model` serves the embedded model on 127.0.0.1 until it is told to stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from hame.providers.model_store import MODELS, ModelNotInstalled, find_parts

pytest.importorskip("xllamacpp")


def test_serve_model_answers_chat_completions_and_stops_on_sigterm(tmp_path) -> None:
    try:
        find_parts(MODELS["qwen2.5-coder-0.5b"])
    except ModelNotInstalled as exc:
        pytest.skip(str(exc))
    env = {**os.environ, "HAME_STATE_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "hame", "serve-model", "--model", "qwen2.5-coder-0.5b",
                             "--ctx-size", "2048"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("serving qwen2.5-coder-0.5b at http://127.0.0.1:"), line
        base = line.split(" at ")[1].split(" ")[0]
        body = json.dumps({"model": "x", "max_tokens": 4, "temperature": 0,
                           "messages": [{"role": "user", "content": "Say OK."}]}).encode()
        req = urllib.request.Request(f"{base}/chat/completions", body, {"content-type": "application/json"})
        reply = json.load(urllib.request.urlopen(req, timeout=120))
        assert reply["choices"][0]["message"]["content"] is not None
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
