"""What the runner applies in one transaction, and how it finds an event a projection cannot
take: the view store's ports (``ViewTransaction``, ``ViewStore``), the ``Item`` of a
notification, and ``isolate`` — a failing run of one projection's events split in halves,
each half in a batch of its own, down to the one event that fails; that one is kept as a fault
in the batch that moves the projection past it, so a replay neither applies it nor keeps it
twice.

A projection's position is its own tracking row, or one it is given (``tracked``): the views
fed from Kafka keep one per projection and partition (``infra.kafka_view_tracking``), and
isolate each partition's events on that row the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError

from projections.base import Key, Need, Projection, Rows

log = logging.getLogger(__name__)
ERROR_CHARS = 2000  # of an error's text kept with its fault


class ViewTransaction(Protocol):
    """One open transaction of the view store."""

    positions: dict[str, int]
    rows: Rows

    def prefetch(self, needs: Iterable[Need]) -> None: ...

    def track(self, name: str, position: int) -> None: ...

    def fault(self, name: str, position: int, topic: str, originator_id: str | None,
              error: str) -> None: ...


class ViewStore(Protocol):
    def batch(self, names: Sequence[str]) -> AbstractContextManager[ViewTransaction]: ...

    def positions(self, names: Sequence[str]) -> dict[str, int]: ...

    def transient(self, error: BaseException) -> bool: ...


class Item(NamedTuple):
    """A notification some projection handles, and its event (or why it could not be read)."""

    position: int
    topic: str
    event: Any
    originator_id: UUID  # made text only when kept with a fault (not for every event)


@dataclass(frozen=True)
class Unreadable:
    """An event the mapper could not decode (a missing class, an upcaster that fails)."""

    error: Exception


def decoded(mapper: Any, note: Any) -> Item:
    """A stored notification as an ``Item``: its event, or why the mapper could not read it
    (kept as a fault of each projection that wanted it)."""
    try:
        event = mapper.to_domain_event(note)
    except Exception as error:
        event = Unreadable(error)
    return Item(note.id, note.topic, event, note.originator_id)


def transient(store: ViewStore, error: BaseException) -> bool:
    """The log or the views' database out of reach, not an event's fault."""
    return isinstance(error, OperationalError | InterfaceError) or store.transient(error)


def apply(tx: ViewTransaction, projection: Projection, items: Sequence[Item], last: int, *,
          tracked: str | None = None) -> None:
    """Apply ``items`` to ``projection`` and move it (its row ``tracked``) to ``last``."""
    for item in items:
        if isinstance(item.event, Unreadable):
            raise item.event.error
        projection.apply(item.topic, item.event, tx.rows, item.position)
    name = tracked or projection.name
    if last > tx.positions[name]:
        tx.track(name, last)


def needs(projection: Projection, items: Sequence[Item]) -> Iterable[Need]:
    """The rows a batch of events reads that it has not itself created before reading them:
    a pack packed, reserved and sold in one batch is written in memory and never looked up."""
    created: set[tuple[str, Key]] = set()
    for item in items:
        if isinstance(item.event, Unreadable):
            continue
        for table, key in projection.needs(item.topic, item.event):
            if (table.name, key) not in created:
                yield table, key
        created.update((table.name, key)
                       for table, key in projection.creates(item.topic, item.event))


def then(projection: Projection, items: Sequence[Item], rows: Rows) -> Iterable[Need]:
    """The rows a batch reads by keys found in the rows ``needs`` fetched (a projection's
    ``then``), for the events whose needed rows the batch did not create before them."""
    if not projection.thens:
        return
    created: set[tuple[str, Key]] = set()
    for item in items:
        if isinstance(item.event, Unreadable):
            continue
        if item.topic in projection.thens and not any(
                (table.name, key) in created
                for table, key in projection.needs(item.topic, item.event)):
            yield from projection.then(item.topic, item.event, rows)
        created.update((table.name, key)
                       for table, key in projection.creates(item.topic, item.event))


def prefetch(tx: ViewTransaction, todo: Iterable[tuple[Projection, Sequence[Item]]]) -> None:
    """Fetch what a batch reads, in two rounds: the rows its events name, then those named by
    keys in those rows."""
    todo = list(todo)
    tx.prefetch(need for projection, items in todo for need in needs(projection, items))
    tx.prefetch(need for projection, items in todo for need in then(projection, items, tx.rows))


def isolate(store: ViewStore, projection: Projection, items: list[Item], end: int, *,
            transient: Callable[[BaseException], bool], tracked: str | None = None) -> None:
    """Apply ``items`` and move ``projection`` (its row ``tracked``) to ``end``; failing that,
    each half apart, down to the one event that fails. A ``transient`` error is raised, never
    kept."""
    name = tracked or projection.name
    try:
        with store.batch([name]) as tx:
            todo = [i for i in items if i.position > tx.positions[name]]
            prefetch(tx, [(projection, todo)])
            apply(tx, projection, todo, end, tracked=name)
        return
    except Exception as error:
        if transient(error) or not items:
            raise
        failure = error
    if len(items) > 1:
        half = len(items) // 2
        for part, last in ((items[:half], items[half].position - 1), (items[half:], end)):
            isolate(store, projection, part, last, transient=transient, tracked=name)
        return
    [item] = items
    with store.batch([name]) as tx:
        if tx.positions[name] < item.position:
            log.error("view %s could not take event %d (%s of %s): %r; kept in the view's "
                      "faults, the view goes on without it", projection.name, item.position,
                      item.topic, item.originator_id, failure)
            tx.fault(projection.name, item.position, item.topic, str(item.originator_id),
                     f"{type(failure).__name__}: {failure}"[:ERROR_CHARS])
            tx.track(name, end)
