"""`hame serve-model`: the embedded model as an OpenAI-compatible endpoint on 127.0.0.1, for other tools (aider,
mini-swe-agent, an editor) or for several hame runs to share. Serves until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .providers.local import LocalServer
from .providers.model_store import MODELS, best_installed, ensure_model
from .session.transcript import cache_dir

STOP_S = 10.0  # how long Ctrl-C or SIGTERM waits for the server to stop cleanly


def serve_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="hame serve-model", description=__doc__)
    p.add_argument("--model", default="", help=f"one of {', '.join(MODELS)} or a .gguf path (default: the best "
                   "installed)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--ctx-size", type=int, default=16384, help="tokens of context per slot (default 16384)")
    p.add_argument("--parallel", type=int, default=2, help="server slots (default 2)")
    p.add_argument("--threads", type=int, help="generation threads (default: HAME_THREADS, else CPUs - 1)")
    a = p.parse_args(argv)
    name = a.model.removeprefix("local:") or best_installed()
    path = ensure_model(name, cache_dir() / "models")
    server = LocalServer.start(path, ctx_size=a.ctx_size, threads=a.threads, parallel=a.parallel, port=a.port,
                               log=lambda line: print(f"hame: {line}", file=sys.stderr))
    print(f"serving {name} at {server.base_url} (OpenAI-compatible; model name: any). Ctrl-C stops it.",
          flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    stopping = threading.Thread(target=server.stop, daemon=True)
    stopping.start()
    stopping.join(STOP_S)
    if stopping.is_alive():  # llama.cpp finishes the reply in flight first, which can take minutes: do not wait
        print(f"hame: a reply was still being generated after {STOP_S:.0f}s; exiting without waiting for it",
              file=sys.stderr, flush=True)
        os._exit(0)
    return 0
