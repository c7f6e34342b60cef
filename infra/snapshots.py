"""The snapshot policy: which aggregates are snapshotted, how often, and from what."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent

from domain.farmer import Farmer
from domain.input_stock import InputStock
from domain.shelf import Shelf
from domain.stock import Stock

# Long-lived aggregates are rebuilt from a recent snapshot, not from their first event.
INTERVALS: dict[type[Any], int] = {Stock: 200, Shelf: 200, Farmer: 200, InputStock: 200}
RECORDS_PER_EVENT = 8


def take_snapshots(app: Application[UUID], processing_event: ProcessingEvent[UUID]) -> None:
    """Snapshots at intervals that grow with the aggregate (``snapshot_interval``), taken
    of the aggregate as just saved when it is at the version due rather than read back
    from the store (rebuilding a large stock cost more than writing its snapshot)."""
    snapshots = app.snapshots
    if snapshots is None:
        return
    for event in processing_event.events:
        aggregate: Any = processing_event.aggregates.get(event.originator_id)
        interval = (app.snapshotting_intervals or {}).get(type(aggregate))
        if interval is None or event.originator_version % snapshot_interval(aggregate, interval):
            continue
        if aggregate.version != event.originator_version:
            app.take_snapshot(event.originator_id, version=event.originator_version)
        else:
            snapshot: Any = getattr(type(aggregate), "Snapshot", app.snapshot_class)
            snapshots.put([snapshot.take(aggregate)])


def snapshot_interval(aggregate: Any, base: int) -> int:
    """``base`` events, doubled until they are at least an eighth of the records the aggregate
    holds (``records_held``): writing a snapshot costs as much as the records in it, so a
    large stock's snapshots cost the same per event as a small one's, and replaying the events
    after one costs about as much as reading it. Powers of two keep every version due at a
    longer interval due at each shorter one."""
    interval = base
    while interval * RECORDS_PER_EVENT < getattr(aggregate, "records_held", 0):
        interval *= 2
    return interval
