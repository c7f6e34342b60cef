"""The tracking rows of views fed from Kafka, in the views' own tracking table.

Per projection and partition: the last notification id the view has seen from that partition
(``earnings@gongxiao.events/0``); per partition: the next offset to read
(``kafka-offset@gongxiao.events/0``). They are written in the transaction of the rows they
account for. A projection fed from Kafka is *claimed*: its own row stands at ``CLAIMED``,
beyond any notification id, so that a log runner (``gongxiao serve`` runs one) leaves it
alone; a rebuild puts a real position back, and the next claim takes over from it. The fed
views write through ``ClaimedStore``, whose batches go on only while the claim holds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from kafka.errors import KafkaError

from infra.views.faults import transient
from infra.views.runner import FED_ELSEWHERE as CLAIMED
from infra.views.store import TRACKING, SqlStore, SqlTransaction
from projections.base import Projection

log = logging.getLogger("gongxiao.projections.kafka")


class PartitionTracking:
    def __init__(self, store: SqlStore, *, topic: str, fed: Sequence[Projection]) -> None:
        self.store, self.topic, self.fed = store, topic, list(fed)

    def applied(self, projection: str, partition: int) -> str:
        return f"{projection}@{self.topic}/{partition}"

    def offset(self, partition: int) -> str:
        return f"kafka-offset@{self.topic}/{partition}"

    def names(self, partition: int) -> list[str]:
        return [self.applied(p.name, partition) for p in self.fed] + [self.offset(partition)]

    def ensure(self, partitions: Iterable[int]) -> None:
        """Create the rows of these partitions (at 0) where they are missing."""
        rows = [(n,) for q in partitions for n in self.names(q)]
        with self.store.transaction() as cur:
            cur.executemany(self.store.db.sql(f"INSERT INTO {TRACKING} (name, position, generation) "
                                              "VALUES (?, 0, 0) ON CONFLICT (name) DO NOTHING"), rows)

    def offsets(self, partitions: Iterable[int]) -> dict[int, int]:
        chosen = list(partitions)
        stored = self.store.positions([self.offset(q) for q in chosen])
        return {q: stored[self.offset(q)] for q in chosen}

    def claimed(self, tx: SqlTransaction) -> bool:
        """Whether every fed projection is still claimed; holds their rows (shared, so workers
        do not wait on each other) so that a rebuild cannot swap a view in under the batch."""
        marks = ", ".join("?" for _ in self.fed)
        share = " FOR SHARE" if tx.db.lock_rows else ""
        tx.cur.execute(tx.db.sql(f"SELECT position FROM {TRACKING} WHERE name IN ({marks}){share}"),
                       [p.name for p in self.fed])
        return all(int(row[0]) == CLAIMED for row in tx.cur.fetchall())

    def claim(self, partitions: Sequence[int]) -> None:
        """Take over each fed projection not claimed yet at the position the log left it:
        every partition goes on after that position, reading the topic from its start."""
        names = [p.name for p in self.fed] + [n for q in partitions for n in self.names(q)]
        with self.store.batch(names) as tx:
            taken = [p for p in self.fed if tx.positions[p.name] != CLAIMED]
            for projection in taken:
                position = tx.positions[projection.name]
                log.info("feeding %s from %s after event %d", projection.name, self.topic, position)
                for q in partitions:
                    tx.track(self.applied(projection.name, q), position)
                tx.track(projection.name, CLAIMED)
            for q in partitions if taken else ():  # another worker may have claimed meanwhile
                tx.track(self.offset(q), 0)


class ClaimedStore:
    """The view store as the fed projections write it: a batch goes on only while every fed
    view is still claimed (a rebuild may hand one back to the log between two batches)."""

    def __init__(self, store: SqlStore, tracking: PartitionTracking) -> None:
        self.store, self.tracking = store, tracking

    @contextmanager
    def batch(self, names: Sequence[str]) -> Iterator[SqlTransaction]:
        with self.store.batch(names) as tx:
            if not self.tracking.claimed(tx):
                raise Unclaimed
            yield tx

    def positions(self, names: Sequence[str]) -> dict[str, int]:
        return self.store.positions(names)

    def transient(self, error: BaseException) -> bool:
        """Not an event's fault: the broker or the database out of reach, or the claim lost."""
        return isinstance(error, Unclaimed | KafkaError) or transient(self.store, error)


class Unclaimed(Exception):
    """A fed view was handed back to the log (rebuilt) or not claimed yet."""
