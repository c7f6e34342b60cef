"""The repository of the use cases: cached aggregates brought up to date without queueing.

Every intake scan reads the same site, farmer and product. The library's repository brings a
cached aggregate up to date while holding that aggregate's lock — its query included — so
concurrent commands reading one aggregate wait for each other's round trips to the database.
This one reads the newer events first, then takes the lock only to apply those the cached
copy still lacks and to copy it: each command still sees at least every event stored before
it asked, and readers of one aggregate query side by side.

``get_many`` brings several aggregates up to date in one query, on a store whose recorder can
(``select_events_of``); an aggregate not cached yet is read from its latest snapshot where the
recorder can (``select_latest_of``), or else from its first event.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from copy import deepcopy
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate

from domain.fefo import FefoQueue
from domain.stock_state import Records


class UseCaseRepository(Repository[UUID]):
    def get(self, aggregate_id: UUID, *, version: int | None = None,
            projector_func: Any = project_aggregate, fastforward_skipping: bool = False,
            deepcopy_from_cache: bool = True) -> Any:
        side_by_side = (self.cache is not None and self.fastforward and version is None
                        and projector_func is project_aggregate
                        and not (fastforward_skipping or self.fastforward_skipping))
        if not side_by_side:
            return super().get(aggregate_id, version=version, projector_func=projector_func,
                               fastforward_skipping=fastforward_skipping,
                               deepcopy_from_cache=deepcopy_from_cache)
        assert self.cache is not None
        cached: Any
        try:
            cached = self.cache.get(aggregate_id)
        except KeyError:  # not cached yet: the library reads it whole and caches it
            cached, newer = super().get(aggregate_id, deepcopy_from_cache=False), []
        else:
            newer = list(self.event_store.get(originator_id=aggregate_id, gt=cached.version))
        return self._brought_up(aggregate_id, cached, newer, copy=deepcopy_from_cache)

    def get_many(self, aggregate_ids: Sequence[UUID]) -> dict[UUID, Any | None]:
        """Each aggregate as ``get`` answers it, or None where there is none, in one query."""
        select = getattr(self.event_store.recorder, "select_events_of", None)
        if select is None or self.cache is None or not self.fastforward:
            return {i: self._found(i) for i in aggregate_ids}
        cached: dict[UUID, Any] = {}
        for aggregate_id in aggregate_ids:
            with contextlib.suppress(KeyError):
                cached[aggregate_id] = self.cache.get(aggregate_id)
        newer: dict[UUID, list[Any]] = defaultdict(list)
        after = [(i, cached[i].version if i in cached else 0) for i in aggregate_ids]
        latest = getattr(self.event_store.recorder, "select_latest_of", None)
        snapshots = self.snapshot_store
        table = getattr(snapshots.recorder, "events_table_name", None) if snapshots else None
        if latest is None or snapshots is None or table is None:
            for stored in select(after):
                newer[stored.originator_id].append(self.event_store.mapper.to_domain_event(stored))
        else:  # those not held yet start at their latest snapshot, if any
            for is_snapshot, stored in latest(after, table):
                mapper = snapshots.mapper if is_snapshot else self.event_store.mapper
                newer[stored.originator_id].append(mapper.to_domain_event(stored))
        found: dict[UUID, Any | None] = {}
        for aggregate_id in aggregate_ids:
            if aggregate_id in cached:
                found[aggregate_id] = self._brought_up(aggregate_id, cached[aggregate_id],
                                                       newer[aggregate_id], copy=True)
                continue
            aggregate = project_aggregate(None, newer[aggregate_id])
            if aggregate is not None:
                self.cache.put(aggregate_id, aggregate)
                aggregate = copied(aggregate) if self.deepcopy_from_cache else aggregate
            found[aggregate_id] = aggregate
        return found

    def _found(self, aggregate_id: UUID) -> Any | None:
        try:
            return self.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _brought_up(self, aggregate_id: UUID, cached: Any, newer: list[Any], *,
                    copy: bool) -> Any:
        assert self.cache is not None
        lock = self._use_fastforward_lock(aggregate_id)
        try:
            with lock:
                # Another reader may have applied some of them meanwhile.
                current = project_aggregate(cached, [
                    e for e in newer if e.originator_version > cached.version])
                if current is None:
                    raise AggregateNotFoundError(aggregate_id)
                if current is not cached:  # an immutable aggregate: a new object
                    self.cache.put(aggregate_id, current)
                cached = current
                if copy and self.deepcopy_from_cache:
                    return copied(cached)
                return cached
        finally:
            self._disuse_fastforward_lock(aggregate_id)


def copied(aggregate: Any) -> Any:
    """What ``copy.deepcopy`` makes of an aggregate, made faster: dicts and lists are copied
    (shared ones stay shared, as deepcopy keeps them), values that cannot change are shared,
    anything else is deep-copied. A stock of thousands of packs is copied for every command
    that reads it, and deepcopy rebuilt every datetime and Decimal in it; its records, which
    are replaced and never changed in place (``Records``), are shared now, in a new dict."""
    cls: Any = type(aggregate)
    clone = cls.__new__(cls)
    clone.__dict__.update(_fresh(aggregate.__dict__, {}))
    return clone


_UNCHANGING = frozenset({str, int, float, bool, type(None), bytes, Decimal, datetime, date,
                         time, timedelta, UUID, frozenset, FefoQueue})


def _fresh(value: Any, memo: dict[int, Any]) -> Any:
    kind = type(value)
    if kind in _UNCHANGING:
        return value
    if kind is Records:
        return memo.setdefault(id(value), Records(value))
    if kind is dict or kind is list:
        known = memo.get(id(value))
        if known is not None:
            return known
        if kind is dict:
            out: dict[Any, Any] = {}
            memo[id(value)] = out
            for k, v in value.items():
                out[k] = v if type(v) in _UNCHANGING else _fresh(v, memo)
            return out
        items: list[Any] = []
        memo[id(value)] = items
        items.extend(v if type(v) in _UNCHANGING else _fresh(v, memo) for v in value)
        return items
    return deepcopy(value, memo)
