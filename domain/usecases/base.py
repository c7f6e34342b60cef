"""What every use case stands on: loading aggregates with clear errors, retrying on conflict."""

from __future__ import annotations

import contextvars
import functools
import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Recording
from eventsourcing.utils import strtobool

from domain.errors import Conflict, DomainError
from domain.values import utc
from infra.group_commit import GroupCommit
from infra.repository import UseCaseRepository

A = TypeVar("A", bound=Aggregate)
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
ATTEMPTS = 8
Rows = Callable[[Any], Mapping[str, Sequence[Any]]]
RECORDS_PER_EVENT = 8


class UseCases(Application[UUID]):
    """Base of the use-case mixins. Concurrent commands' events are written together (see
    ``infra.group_commit``); each command still succeeds or fails on its own."""

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self.group_commit = GroupCommit(self.events.put)
        self._unit: contextvars.ContextVar[_Unit | None] = contextvars.ContextVar(
            f"unit-{id(self)}", default=None)

    def atomically(self, work: Callable[[], T], *, rows: Rows | None = None) -> tuple[T, bool]:
        """Run ``work`` (a use case, or code around one) with every ``save()`` in it held back,
        then write all its events in one transaction of the group commit, with ``rows(result)``
        (rows of the store's side tables, as keyword arguments of its recorder: e.g. the kept
        reply of an Idempotency-Key) if it recorded anything. Runs ``work`` again when another
        writer saved one of its aggregates first. Answers its result and whether it recorded."""
        if self._unit.get() is not None:  # inside another unit: that one writes and retries
            return work(), False
        for attempt in range(ATTEMPTS):
            unit = _Unit()
            token = self._unit.set(unit)
            try:
                result = work()
            finally:
                self._unit.reset(token)
            saved = unit.saved
            events = [e for pe in saved for e in pe.events]
            if not events:
                return result, False
            try:
                recordings = self.group_commit.commit(events, **(rows(result) if rows else {}))
            except IntegrityError:
                time.sleep(random.uniform(0, 0.002 * 2**attempt))
                continue
            for pe in saved:
                self._cache(pe)
                self._take_snapshots(pe)
            self._notify(recordings)
            return result, True
        raise Busy("too many people changed the same stock at once; send it again")

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Inside ``atomically`` (every ``@command``), the events wait for the end of the unit."""
        unit = self._unit.get()
        if unit is None or kwargs:
            return super().save(*objs, **kwargs)
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.collect_events(*objs)
        unit.saved.append(processing_event)
        return []

    def prefetch(self, *aggregate_ids: UUID) -> None:
        """Read the aggregates a use case is about to load, in one query; inside a unit
        (every ``@command``), ``load`` and ``find`` then answer them without another."""
        unit = self._unit.get()
        if unit is not None:
            repository = cast(UseCaseRepository, self.repository)
            unit.read.update(repository.get_many([i for i in aggregate_ids if i not in unit.read]))

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository, configured alike, bringing cached aggregates up to date
        side by side (see ``infra.repository``)."""
        size = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return UseCaseRepository(
            event_store=self.events, snapshot_store=self.snapshots,
            cache_maxsize=int(size) if size else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(
                self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")),
            deepcopy_from_cache=strtobool(self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")))

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        if processing_event.tracking is not None or processing_event.saved_kwargs:
            return super()._record(processing_event)
        recordings = self.group_commit.commit(processing_event.events)
        self._cache(processing_event)
        return recordings

    def _cache(self, processing_event: ProcessingEvent[UUID]) -> None:
        if self.repository.cache and not self.repository.fastforward:
            for aggregate_id, aggregate in processing_event.aggregates.items():
                self.repository.cache.put(aggregate_id, aggregate)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshots at intervals that grow with the aggregate (``snapshot_interval``), taken
        of the aggregate as just saved when it is at the version due rather than read back
        from the store (rebuilding a large stock cost more than writing its snapshot)."""
        snapshots = self.snapshots
        if snapshots is None:
            return
        for event in processing_event.events:
            aggregate: Any = processing_event.aggregates.get(event.originator_id)
            interval = (self.snapshotting_intervals or {}).get(type(aggregate))
            if interval is None or event.originator_version % snapshot_interval(aggregate, interval):
                continue
            if aggregate.version != event.originator_version:
                self.take_snapshot(event.originator_id, version=event.originator_version)
            else:
                snapshot: Any = getattr(type(aggregate), "Snapshot", self.snapshot_class)
                snapshots.put([snapshot.take(aggregate)])

    def now(self) -> datetime:
        return datetime.now(UTC)

    def load(self, cls: type[A], aggregate_id: UUID, missing: DomainError) -> A:
        aggregate = self.find(aggregate_id)
        if aggregate is None or not isinstance(aggregate, cls):
            raise missing
        return aggregate

    def find(self, aggregate_id: UUID) -> Any | None:
        unit = self._unit.get()
        if unit is not None and aggregate_id in unit.read:
            return unit.read[aggregate_id]
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def load_or_open(self, cls: type[A], **key: Any) -> A:
        """The aggregate of a key, opened (not yet saved) the first time it is needed."""
        found = self.find(cls.create_id(**key))
        return found if found is not None else cls(**key)


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


def command(method: F) -> F:
    """A use case that records: its times are taken in UTC, its saves are written together at
    its end, and it runs again when another writer saved the same aggregate first.

    Optimistic concurrency makes the loser's save fail with nothing written; reading again
    and deciding again is always correct, and a few tries settle any realistic contention.
    """

    @functools.wraps(method)
    def run(self: UseCases, *args: Any, **kwargs: Any) -> Any:
        kwargs = {k: utc(v, field=k) if isinstance(v, datetime) else v for k, v in kwargs.items()}
        return self.atomically(lambda: method(self, *args, **kwargs))[0]

    return run  # type: ignore[return-value]


class Busy(Conflict):
    pass


class _Unit:
    """What one run of a unit saved (written at its end) and read ahead (``prefetch``)."""

    def __init__(self) -> None:
        self.saved: list[ProcessingEvent[UUID]] = []
        self.read: dict[UUID, Any] = {}
