"""Failing model calls, shared by the providers: retrying with backoff (retryable ProviderErrors are retried after
each delay in turn, with a notice saying why; anything else, or the last failure, is raised), and one mapping of
what an SDK raises (an HTTP status, no connection, a stream cut mid-reply) to ProviderErrors, apart from bugs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

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


@dataclass(frozen=True)
class SdkErrors:
    """How one SDK reports a failed call: its HTTP-status and connection exception types, the words that name its
    server for the user, and the ProviderError a status error becomes."""

    status: type[Exception]
    connection: type[Exception]
    server: str
    from_status: Callable[[Any], ProviderError]


@contextmanager
def transport_errors(sdk: SdkErrors, base_url: str) -> Iterator[None]:
    """Turn what `sdk` raises while a call is made or its stream read into a ProviderError; a bug passes through."""
    try:
        yield
    except sdk.status as exc:
        raise sdk.from_status(exc) from None
    except sdk.connection as exc:
        raise ProviderError(f"cannot reach {sdk.server} at {base_url} ({connection_reason(exc)})",
                            retryable=not is_refused(exc)) from None
    except Exception as exc:
        if not is_transport_error(exc):
            raise
        raise ProviderError(f"the connection to {base_url} broke mid-reply ({exc})", retryable=True) from None


def retryable_status(status: int) -> bool:
    """A status worth another try: a timeout, a conflict, too many requests, or a server error."""
    return status in (408, 409, 429) or status >= 500


def is_transport_error(exc: Exception) -> bool:
    """An error of the HTTP stack under an SDK (httpx or httpx2, httpcore), raised while a stream is read."""
    return type(exc).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore", "h11") or isinstance(exc, OSError)


def is_refused(exc: BaseException) -> bool:
    """Nothing listens at the address: retrying within seconds would only print the same failure again."""
    cause = exc.__cause__ or exc.__context__
    return isinstance(cause, ConnectionRefusedError) or "refused" in str(cause or exc).lower()


def connection_reason(exc: BaseException) -> str:
    """Why a connection failed, in words for the user."""
    cause = exc.__cause__ or exc.__context__
    text = str(cause or exc) or type(exc).__name__
    if "refused" in text.lower() or "connect" in text.lower():
        return "connection refused — is the server running?"
    return text[:200]
