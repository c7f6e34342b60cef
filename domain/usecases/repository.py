"""The repository of the use cases: cached aggregates brought up to date without queueing.

Every intake scan reads the same site, farmer and product. The library's repository brings a
cached aggregate up to date while holding that aggregate's lock — its query included — so
concurrent commands reading one aggregate wait for each other's round trips to the database.
This one reads the newer events first, then takes the lock only to apply those the cached
copy still lacks and to copy it: each command still sees at least every event stored before
it asked, and readers of one aggregate query side by side.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate


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
        try:
            cached: Any = self.cache.get(aggregate_id)
        except KeyError:  # not cached yet: read it whole (the library caches it)
            return super().get(aggregate_id, deepcopy_from_cache=deepcopy_from_cache)
        newer = list(self.event_store.get(originator_id=aggregate_id, gt=cached.version))
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
                if deepcopy_from_cache and self.deepcopy_from_cache:
                    return deepcopy(cached)
                return cached
        finally:
            self._disuse_fastforward_lock(aggregate_id)
