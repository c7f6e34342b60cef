"""Gongxiao, the application: every use case of the co-op on one event store."""

from __future__ import annotations

from typing import ClassVar

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
