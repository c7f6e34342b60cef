"""The small error hierarchy every refused command raises.

Each aggregate module defines its specific errors as subclasses of these three; the
entrypoints map the three categories to their answers once (``infra.problems``).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command was refused; nothing was recorded."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    """The command names something that does not exist."""


class Conflict(DomainError):
    """The command clashes with what has already happened (stock, holds, places)."""


class Invalid(DomainError):
    """The command breaks a rule of the domain on its own (mass balance, dates, units)."""


class IdempotencyConflict(Conflict):
    """The same command id was used before for a different command."""
