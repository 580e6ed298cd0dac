"""A stand-in for `aider` in tests of bench/peers.py: takes Aider's command line, asks the OpenAI-compatible server
once with the message file and the files' contents, and writes the whole file the reply lists. It also records its
arguments (to $FAKE_AIDER_LOG) so a test can check what a peer is given."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

import httpx


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--openai-api-base")
    p.add_argument("--message-file")
    p.add_argument("--test-cmd")
    p.add_argument("--read", action="append", default=[])
    p.add_argument("--model")
    for option in ("--openai-api-key", "--edit-format", "--map-tokens"):  # Aider options that take a value
        p.add_argument(option)
    p.add_argument("files", nargs="*")
    a, _rest = p.parse_known_args()
    with open(os.environ["FAKE_AIDER_LOG"], "a") as log:
        log.write(json.dumps(sys.argv[1:]) + "\n")
    content = Path(a.message_file).read_text() + "".join(f"\n{f}\n```\n{Path(f).read_text()}```" for f in a.files)
    r = httpx.post(f"{a.openai_api_base}/chat/completions", json={"model": a.model, "messages": [
        {"role": "user", "content": content}]}, timeout=30)
    reply = r.json()["choices"][0]["message"]["content"]
    for path, body in re.findall(r"^(\S+)\n```\w*\n(.*?)^```", reply, flags=re.M | re.S):
        Path(path).write_text(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
