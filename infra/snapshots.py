"""The snapshot policy: which aggregates are snapshotted, how often, and from what."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent

from domain.farmer import Farmer
from domain.input_stock import InputStock
from domain.shelf import Shelf
from domain.stock import Stock

# Long-lived aggregates are rebuilt from a recent snapshot, not from their first event. A
# cold store's stock holds only what is in the cold store, so its snapshot is small and taken
# often: a cold load replays at most 9 of its events, each of which may name a run's packs.
# (bench/sites.py, a running server's cold load of the stock after each of the last cycles:
# 8.8 ms of CPU every 25 events, 3.5-4.2 ms every 10, 2.9 ms every 5, beside 1.0-1.3 ms for a
# batch; every 10 keeps a full cold store's larger snapshot to one write per ten events.)
INTERVALS: dict[type[Any], int] = {Stock: 10, Shelf: 200, Farmer: 200, InputStock: 200}


def take_snapshots(app: Application[UUID], processing_event: ProcessingEvent[UUID]) -> None:
    """Snapshots every ``interval`` events, taken of the aggregate as just saved when it is
    at the version due rather than read back from the store. (A stock holds what is in its
    cold store now, not its history, so its snapshots keep one size and need no longer
    interval as it ages.)"""
    snapshots = app.snapshots
    if snapshots is None:
        return
    for event in processing_event.events:
        aggregate: Any = processing_event.aggregates.get(event.originator_id)
        interval = (app.snapshotting_intervals or {}).get(type(aggregate))
        if interval is None or event.originator_version % interval:
            continue
        if aggregate.version != event.originator_version:
            app.take_snapshot(event.originator_id, version=event.originator_version)
        else:
            snapshot: Any = getattr(type(aggregate), "Snapshot", app.snapshot_class)
            snapshots.put([snapshot.take(aggregate)])

