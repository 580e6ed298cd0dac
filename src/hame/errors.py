"""Errors, by who sees them.

    HameError
    ├── ToolError        goes back to the model as the tool result; the run goes on
    ├── ProviderError    the model server failed; `retryable` ones are retried with backoff
    ├── UsageError       bad command line or config; exit code 2
    └── Fatal            ends the run with a clear message; exit code 1
"""

from __future__ import annotations


class HameError(Exception):
    """Base of every error hame raises on purpose."""


class ToolError(HameError):
    """A tool could not do what was asked; the message is written for the model."""


class ProviderError(HameError):
    def __init__(self, message: str, *, retryable: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class UsageError(HameError):
    """Bad flags, config or arguments given by the user."""


class Fatal(HameError):
    """Ends the run; the message is shown to the user."""
