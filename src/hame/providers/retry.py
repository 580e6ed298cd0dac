"""Retrying a model call with backoff: retryable ProviderErrors are retried after each delay in turn, with a
notice saying why; anything else, or the last failure, is raised."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import ProviderError

T = TypeVar("T")
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)


def with_retries(attempt: Callable[[], T], delays: tuple[float, ...], notice: Callable[[str], None]) -> T:
    for i in range(len(delays) + 1):
        try:
            return attempt()
        except ProviderError as exc:
            if not exc.retryable or i == len(delays):
                raise
            notice(f"{exc}; retrying in {delays[i]:.0f}s ({i + 1}/{len(delays)})")
            time.sleep(delays[i])
    raise AssertionError("unreachable")
