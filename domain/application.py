"""Gongxiao, the application: every use case of the co-op on one event store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from domain.farmer import Farmer
from domain.shelf import Shelf
from domain.stock import Stock
from domain.usecases.housekeeping import Housekeeping


class Gongxiao(Housekeeping):
    """Configured from the environment like any eventsourcing application: in memory unless
    ``PERSISTENCE_MODULE`` says otherwise (the composition root in ``infra`` sets it)."""

    name = "gongxiao"
    # Long-lived aggregates are rebuilt from a recent snapshot, not from their first event.
    snapshotting_intervals: ClassVar = {Stock: 200, Shelf: 200, Farmer: 200}
    env: ClassVar = {"AGGREGATE_CACHE_MAXSIZE": "2000"}

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self._subscribers: list[Callable[[], None]] = []

    def subscribe(self, told: Callable[[], None]) -> None:
        """The in-process event bus: ``told()`` is called after every save in this process,
        so a reader in the same process (the embedded projection runner) need not poll."""
        self._subscribers.append(told)

    def _notify(self, recordings: Any) -> None:
        for told in self._subscribers:
            told()
