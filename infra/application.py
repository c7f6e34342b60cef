"""The application on a real store: Gongxiao's use cases, each run as one unit of work.

A unit holds back every ``save()`` of a use case and writes all its events at its end, in one
transaction of the group commit (``infra.group_commit``), with any rows of the store's side
tables (the kept reply of an Idempotency-Key). When another writer saved one of its aggregates
first, the unit runs the use case again: optimistic concurrency makes the loser's write fail
with nothing written, and reading again and deciding again is always correct. A unit inside
another (a use case called by code already in one) is part of the outer unit, which writes.
"""

from __future__ import annotations

import contextvars
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.application import ProcessingEvent, Repository
from eventsourcing.persistence import IntegrityError, Recording
from eventsourcing.utils import strtobool

from domain.application import Gongxiao
from domain.errors import Conflict
from infra.group_commit import GroupCommit
from infra.repository import UseCaseRepository, copied
from infra.snapshots import INTERVALS, take_snapshots

T = TypeVar("T")
ATTEMPTS = 8
Rows = Callable[[Any], Mapping[str, Sequence[Any]]]


class StoredGongxiao(Gongxiao):
    """What the composition root builds. Concurrent use cases' events are written together;
    each still succeeds or fails on its own."""

    name = Gongxiao.name  # the library names the tables and settings after it
    snapshotting_intervals: ClassVar = INTERVALS
    env: ClassVar = {"AGGREGATE_CACHE_MAXSIZE": "2000"}

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self.group_commit = GroupCommit(self.events.put)
        self._unit: contextvars.ContextVar[_Unit | None] = contextvars.ContextVar(
            f"unit-{id(self)}", default=None)
        self._subscribers: list[Callable[[], None]] = []

    def run_use_case(self, use_case: Callable[[], T]) -> T:
        return self.atomically(use_case)[0]

    def atomically(self, work: Callable[[], T], *, rows: Rows | None = None) -> tuple[T, bool]:
        """Run ``work`` (a use case, or code around one) as one unit, with ``rows(result)``
        (rows of the store's side tables, as keyword arguments of its recorder) written with
        its events if it recorded anything. Answers its result and whether it recorded."""
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
        """Inside a unit, the events wait for the end of the unit."""
        unit = self._unit.get()
        if unit is None or kwargs:
            return super().save(*objs, **kwargs)
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        processing_event.collect_events(*objs)
        unit.saved.append(processing_event)
        return []

    def prefetch(self, *aggregate_ids: UUID) -> None:
        """Read the aggregates a use case is about to load, in one query; inside a unit,
        ``load`` and ``find`` then answer them without another."""
        unit = self._unit.get()
        if unit is not None:
            repository = cast(UseCaseRepository, self.repository)
            unit.read.update(repository.get_many([i for i in aggregate_ids if i not in unit.read]))

    def find(self, aggregate_id: UUID) -> Any | None:
        unit = self._unit.get()
        if unit is not None and aggregate_id in unit.read:
            return unit.read[aggregate_id]
        return super().find(aggregate_id)

    def subscribe(self, told: Callable[[], None]) -> None:
        """The in-process event bus: ``told()`` is called after every save in this process,
        so a reader in the same process (the embedded projection runner) need not poll."""
        self._subscribers.append(told)

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
        """What a use case saved is cached as saved, so the next use case reads only what
        others stored after it. (The library caches nothing it saves when the cache is
        brought up to date from the store, as ours is, so a batch just taken in was read back
        whole, its snapshot looked for first, by the grading that followed.) A copy, since
        the use case's answer may share its state; never replacing a newer one another
        thread cached meanwhile, though that would only cost the next read a few events."""
        cache = self.repository.cache
        if not cache:
            return
        for aggregate_id, aggregate in processing_event.aggregates.items():
            try:
                newer = cache.get(aggregate_id).version >= aggregate.version
            except KeyError:
                newer = False
            if not newer:
                cache.put(aggregate_id, copied(aggregate) if self.repository.fastforward
                          else aggregate)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        take_snapshots(self, processing_event)

    def _notify(self, recordings: Any) -> None:
        for told in self._subscribers:
            told()


class Busy(Conflict):
    pass


class _Unit:
    """What one run of a unit saved (written at its end) and read ahead (``prefetch``)."""

    def __init__(self) -> None:
        self.saved: list[ProcessingEvent[UUID]] = []
        self.read: dict[UUID, Any] = {}
