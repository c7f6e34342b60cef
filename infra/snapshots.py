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
# But a cold store holding thousands of packs no order took has a snapshot of megabytes, and
# writing one every ten events made each command pay for the whole stock (bench/append.py: 10
# packs a cycle never shipped, 1,000 cycles: 120 commands/s in the first tenth, 31 in the
# last). So a stock's interval doubles with each doubling of the records it holds past
# RECORDS_PER_DOUBLING: a snapshot's cost per event stays bounded, and a cold load replays at
# most a few events per record it decodes. Doubling keeps the versions due nested (each
# multiple of 20 is one of 10), so a stock that empties goes back to every ten.
RECORDS_PER_DOUBLING = 500


def interval(app: Application[UUID], aggregate: Any) -> int | None:
    """Every how many events ``aggregate`` is snapshotted (None: never)."""
    base: int | None = (app.snapshotting_intervals or {}).get(type(aggregate))
    if base is None or not isinstance(aggregate, Stock):
        return base
    held = len(aggregate.lots) + len(aggregate.packs)
    return base << (held // RECORDS_PER_DOUBLING).bit_length()


def take_snapshots(app: Application[UUID], processing_event: ProcessingEvent[UUID]) -> None:
    """Snapshots every ``interval`` events, taken of the aggregate as just saved when it is
    at the version due rather than read back from the store. (A stock holds what is in its
    cold store now, not its history: its interval follows what it holds, never its age.)"""
    snapshots = app.snapshots
    if snapshots is None:
        return
    for event in processing_event.events:
        aggregate: Any = processing_event.aggregates.get(event.originator_id)
        every = interval(app, aggregate)
        if every is None or event.originator_version % every:
            continue
        if aggregate.version != event.originator_version:
            app.take_snapshot(event.originator_id, version=event.originator_version)
        else:
            snapshot: Any = getattr(type(aggregate), "Snapshot", app.snapshot_class)
            snapshots.put([snapshot.take(aggregate)])

