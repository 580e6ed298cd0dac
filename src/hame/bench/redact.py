"""Secrets out of exported trajectories: API keys, tokens and private keys are replaced by `[REDACTED]`.
Pure functions over strings; `redact_value` walks any JSON-like value, and `redact_session` also removes every
secret value found anywhere in a session wherever else it appears (the model's prose, JSON-escaped arguments)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

MASK = "[REDACTED]"

TOKENS = [
    r"sk-ant-[A-Za-z0-9_-]{20,}",  # Anthropic
    r"sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}",  # OpenAI
    r"gh[pousr]_[A-Za-z0-9]{30,}", r"github_pat_[A-Za-z0-9_]{30,}",  # GitHub
    r"glpat-[A-Za-z0-9_-]{20,}",  # GitLab
    r"xox[abposr]-[A-Za-z0-9-]{10,}",  # Slack
    r"(?:AKIA|ASIA)[0-9A-Z]{16}",  # AWS access key id
    r"AIza[0-9A-Za-z_-]{35}",  # Google
    r"hf_[A-Za-z0-9]{30,}",  # Hugging Face
    r"npm_[A-Za-z0-9]{36}", r"pypi-[A-Za-z0-9_-]{50,}",
    r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",  # JWT
]
TOKEN = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(TOKENS) + r")")
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S)
BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{16,}")
KEY = r"\w*(?:api[_-]?key|secret|token|password|passwd)\w*"
QUOTED = re.compile(r"(?i)\b(" + KEY + r"[\"']?\s*[:=]\s*)([\"'])[^\"'\s]{8,}\2")  # api_key = "...", "token": "..."
ENV = re.compile(r"\b([A-Z][A-Z0-9_]*(?:API_KEY|SECRET|TOKEN|PASSWORD|PASSWD)[A-Z0-9_]*=)"  # OPENAI_API_KEY=...
                 r"(?=[^\s'\"]*[A-Za-z])[^\s'\"]{8,}")


def redact(text: str) -> str:
    text = PRIVATE_KEY.sub(MASK, text)
    text = TOKEN.sub(MASK, text)
    text = BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = QUOTED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    return ENV.sub(lambda m: f"{m.group(1)}{MASK}", text)


def redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value


def secrets_in(text: str) -> set[str]:
    """The secret values (not their labels) the patterns above find in `text`, at least 8 characters long."""
    found = {m.group(0) for pattern in (PRIVATE_KEY, TOKEN) for m in pattern.finditer(text)}
    found |= {m.group(0).split(None, 1)[1] for m in BEARER.finditer(text)}
    found |= {m.group(0)[len(m.group(1)) + 1 : -1] for m in QUOTED.finditer(text)}
    found |= {m.group(0)[len(m.group(1)) :] for m in ENV.finditer(text)}
    return {s for s in found if len(s) >= 8 and s != MASK}


def redact_session(value: Any, *sources: Any) -> Any:
    """`value` redacted, and every secret found in it or in `sources` (e.g. the raw messages) masked wherever it
    appears, whatever the format around it (quoted, JSON-escaped, in the model's own words)."""
    known: set[str] = set()
    for item in (value, *sources):
        for text in _strings(item):
            known |= secrets_in(text)
    ordered = sorted(known, key=len, reverse=True)
    escaped = [(json.dumps(s)[1:-1], s) for s in ordered]

    def one(text: str) -> str:
        text = redact(text)
        for as_json, raw in escaped:
            text = text.replace(raw, MASK).replace(as_json, MASK)
        return text

    return _map(value, one)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON-like value, and the strings inside strings that hold JSON (tool call arguments)."""
    if isinstance(value, str):
        yield value
        if value.lstrip().startswith(("{", "[")):
            try:
                yield from _strings(json.loads(value))
            except ValueError:
                pass
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _map(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map(v, fn) for v in value]
    return value
