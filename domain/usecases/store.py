"""What every use case stands on: the store it loads aggregates from and saves them to.

A use case is a function of the store, written load → decide → save; ``command`` marks one
that records. The application (``domain.application``) is the store and lists the use cases.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.values import utc

A = TypeVar("A", bound=Aggregate)
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class Store(Protocol):
    events: Any  # the stored events, read by a batch's history

    def find(self, aggregate_id: UUID) -> Any | None: ...

    def load(self, cls: type[A], aggregate_id: UUID, missing: DomainError) -> A: ...

    def load_or_open(self, cls: type[A], **key: Any) -> A: ...

    def prefetch(self, *aggregate_ids: UUID) -> None: ...

    def save(self, *aggregates: Any) -> Any: ...

    def now(self) -> datetime: ...

    def run_use_case(self, use_case: Callable[[], T]) -> T: ...


def command(use_case: F) -> F:
    """A use case that records: its times are taken in UTC and the store runs it as one whole
    (``Store.run_use_case``): every aggregate it saves, or none."""

    @functools.wraps(use_case)
    def run(store: Store, *args: Any, **kwargs: Any) -> Any:
        kwargs = {k: utc(v, field=k) if isinstance(v, datetime) else v for k, v in kwargs.items()}
        return store.run_use_case(lambda: use_case(store, *args, **kwargs))

    return run  # type: ignore[return-value]
