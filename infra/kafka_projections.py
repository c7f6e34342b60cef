"""Views fed from ``gongxiao.events`` by a consumer group: ``gongxiao worker projections --from kafka``.

Kafka keeps order per aggregate only, so only projections marked ``by_aggregate`` are fed this
way; the others keep following the log. Each worker of the group applies the events of the
partitions it is assigned and records, with the rows and in their transaction, per partition
the last notification id seen and the next offset (``infra.kafka_view_tracking``). Those rows
are the truth: the consumer is put back at the stored offset whenever it stands elsewhere and
ids already seen are skipped, so a rebalance, a crash or a relay duplicate never applies an
event twice. An event's body is read from the event store by its notification id: the
projections take the stored domain event, exact in every detail the JSON may round off.

What the views cannot take stops none of them (as on the log, ``infra.views.faults``): a poll
that fails, not for an outage, is applied again per projection and partition, halved down to
the one event a projection fails on, kept as that view's fault; a message that is not an
event is kept as a fault at its offset, in the batch that moves the offset past it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from infra.kafka_clients import group_consumer, run_steps
from infra.kafka_events import NotAnEvent, event_message, follows
from infra.kafka_view_tracking import ClaimedStore, PartitionTracking, Unclaimed
from infra.settings import Settings
from infra.views import ReadModels
from infra.views.faults import ERROR_CHARS, Item, apply, decoded, isolate, prefetch
from infra.views.store import SqlStore
from projections.base import Projection

# The event store's errors, and the views' own (their databases are reached directly).
DATABASE_ERRORS = (PersistenceError, psycopg.Error, sqlite3.Error)

log = logging.getLogger("gongxiao.projections.kafka")
GROUP = "gongxiao-projections"


def feed_from_kafka(app: Any, views: ReadModels, settings: Settings, stop: threading.Event, *,
                    group: str = GROUP) -> None:
    """Feed the ``by_aggregate`` views from the events topic until ``stop`` is set."""
    bootstrap = settings.kafka_bootstrap
    if not bootstrap:
        raise SystemExit("--from kafka needs GONGXIAO_KAFKA_BOOTSTRAP (host:port of the broker)")
    store = SqlStore(views.db, list(views.projections.values()))
    feed = KafkaFeed(app=app, store=store, topic=settings.topics.events,
                     projections=list(views.projections.values()),
                     consumer=lambda: group_consumer(bootstrap, group_id=group,
                                                     client_id="gongxiao-projections"))
    log.info("feeding %s from %s (group %s)", ", ".join(p.name for p in feed.fed), feed.topic, group)
    try:
        feed.run(stop)
    finally:
        store.close()


class KafkaFeed:
    def __init__(self, *, app: Any, store: SqlStore, consumer: Callable[[], KafkaConsumer],
                 topic: str, projections: Sequence[Projection]) -> None:
        self.app, self.store, self.new_consumer, self.topic = app, store, consumer, topic
        self.fed = [p for p in projections if p.by_aggregate]
        self.tracking = PartitionTracking(store, topic=topic, fed=self.fed)
        self.claimed = ClaimedStore(store, self.tracking)
        self.topics = frozenset().union(*(p.topics for p in self.fed))
        self.consumer: KafkaConsumer | None = None
        self.partitions: list[int] = []
        self.applied = 0

    def step(self, *, timeout_ms: int = 500) -> int:
        """Apply one poll of events; answers how many messages it went past."""
        consumer = self.consumer or self._connect()
        polled = {tp: rs for tp, rs in consumer.poll(timeout_ms=timeout_ms).items() if rs}
        if not polled:
            return 0
        try:
            done = self._take(consumer, polled)
        except Exception as error:
            if self.claimed.transient(error):
                raise
            log.warning("a poll of %s failed (%r): finding the event at fault", self.topic, error)
            done = self._take(consumer, polled, isolating=True)
        if done:
            self._commit(consumer, done)
        return sum(len(rs) for rs in polled.values())

    def run(self, stop: threading.Event) -> None:
        """Feed the views until stopped; a broker or database outage waits and resumes."""
        def step() -> None:
            try:
                self.step()
            except Unclaimed:  # two workers claiming at once may deadlock: one retries
                self.tracking.claim(self.partitions)
                self.seek_stored()

        def paused(error: BaseException) -> None:
            log.warning("Kafka-fed views paused; they resume from their tracking rows: %r", error)
            self.disconnect()

        try:
            run_steps(stop, step, errors=(KafkaError, *DATABASE_ERRORS), paused=paused)
        finally:
            self.disconnect()

    def disconnect(self) -> None:
        consumer, self.consumer = self.consumer, None
        if consumer is not None:
            try:
                consumer.close(autocommit=False)
            except KafkaError as error:
                log.warning("closing the consumer failed: %r", error)

    def seek_stored(self, partitions: Sequence[TopicPartition] | None = None) -> None:
        """Put the consumer where the tracking rows say each partition goes on."""
        consumer = self.consumer
        if consumer is None:
            return
        chosen = list(consumer.assignment() if partitions is None else partitions)
        stored = self.tracking.offsets(tp.partition for tp in chosen)
        for tp in chosen:
            consumer.seek(tp, stored[tp.partition])

    def _take(self, consumer: KafkaConsumer, polled: dict[TopicPartition, list[Any]], *,
              isolating: bool = False) -> dict[TopicPartition, int]:
        """Apply a poll in one batch with the tracking rows and offsets it moves. Isolating,
        each projection's events of each partition go first in batches of their own, halved
        down to the one event it cannot take (``infra.views.faults.isolate``); the last batch
        then only moves the offsets, with the faults of messages that are not events."""
        names = [n for tp in polled for n in self.tracking.names(tp.partition)]
        if isolating:
            plan = self._plan(consumer, polled, self.store.positions(names))
            for projection, name, items in self._groups(plan):
                isolate(self.claimed, projection, items, plan.last[name], tracked=name,
                        transient=self.claimed.transient)
                self.applied += len(items)
        with self.claimed.batch(names) as tx:
            plan = self._plan(consumer, polled, tx.positions)
            groups = self._groups(plan)
            prefetch(tx, [(projection, items) for projection, _, items in groups])
            for projection, name, items in groups:
                apply(tx, projection, items, plan.last[name], tracked=name)
                self.applied += len(items)
            for fault in plan.not_events:
                log.error("message %s is not an event (%s); kept in the faults, the views go "
                          "on without it", fault[2], fault[4])
                tx.fault(*fault)
            for tp, offset in plan.done.items():
                tx.track(self.tracking.offset(tp.partition), offset)
            for name, position in plan.last.items():
                if position > tx.positions[name]:
                    tx.track(name, position)
        return plan.done

    def _plan(self, consumer: KafkaConsumer, polled: dict[TopicPartition, list[Any]],
              positions: dict[str, int]) -> _Plan:
        """What a poll brings each fed projection, given the tracking rows' ``positions``."""
        plan = _Plan()
        last = {name: positions[name] for name in (
            self.tracking.applied(p.name, tp.partition) for tp in polled for p in self.fed)}
        for tp, records in polled.items():
            stored = positions[self.tracking.offset(tp.partition)]
            if records[0].offset != stored:  # a rebalance, a restart or a claim moved it
                consumer.seek(tp, stored)
                continue
            for record in records:
                try:
                    message = event_message(record.value, record.headers)
                except NotAnEvent as error:
                    plan.not_events.append(self._not_an_event(tp, record, error))
                    continue
                for projection in self.fed:  # a repeat, or a record come too early, is skipped
                    name = self.tracking.applied(projection.name, tp.partition)
                    if follows(last[name], message.notification_id, message.previous):
                        last[name] = message.notification_id  # ignored events move it too
                        if message.topic in projection.topics:
                            plan.wanted.append((message.notification_id, projection, name))
            plan.done[tp] = records[-1].offset + 1
        plan.last = last
        return plan

    def _groups(self, plan: _Plan) -> list[tuple[Projection, str, list[Item]]]:
        """Per projection and partition (its tracking row), the stored events it is to take."""
        events = self._events({nid for nid, _, _ in plan.wanted})
        groups: dict[str, tuple[Projection, str, list[Item]]] = {}
        for nid, projection, name in sorted(plan.wanted, key=lambda w: w[0]):
            groups.setdefault(name, (projection, name, []))[2].append(events[nid])
        return list(groups.values())

    def _events(self, ids: set[int]) -> dict[int, Item]:
        """The stored events of these notification ids, read in one range."""
        if not ids:
            return {}
        low, high = min(ids), max(ids)
        notes = self.app.recorder.select_notifications(start=low, stop=high, limit=high - low + 1,
                                                      topics=sorted(self.topics))
        found = {n.id: decoded(self.app.mapper, n) for n in notes if n.id in ids}
        missing = ids - found.keys()
        if missing:
            raise PersistenceError(f"events {sorted(missing)[:5]} are on Kafka but not in the store")
        return found

    def _not_an_event(self, tp: TopicPartition, record: Any,
                      error: NotAnEvent) -> tuple[str, int, str, None, str]:
        """The fault of a message that is not an event: kept under its partition's offset row,
        at its offset, with the bytes it held (as a Python literal, so any byte can be kept)."""
        where = f"{tp.topic}/{tp.partition}@{record.offset}"
        return (self.tracking.offset(tp.partition), record.offset, where, None,
                f"NotAnEvent: {error}; value {record.value!r:.{ERROR_CHARS // 2}}")

    def _commit(self, consumer: KafkaConsumer, done: dict[TopicPartition, int]) -> None:
        """Tell Kafka too, for lag tools and a quick start; the tracking rows stay the truth."""
        try:
            consumer.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in done.items()})
        except KafkaError as error:
            log.info("offsets not committed to Kafka (the views have them): %r", error)

    def _connect(self) -> KafkaConsumer:
        consumer = self.new_consumer()
        try:
            consumer.subscribe([self.topic], listener=_SeekStored(self, consumer))
            self.partitions = sorted(consumer.partitions_for_topic(self.topic) or ())
            if not self.partitions:
                raise KafkaError(f"no partitions of {self.topic} are known to the broker")
            self.tracking.ensure(self.partitions)
        except BaseException:
            consumer.close(autocommit=False)
            raise
        self.consumer = consumer
        return consumer

class _SeekStored(ConsumerRebalanceListener):
    """Partitions this worker is given start at their stored offsets, not at Kafka's."""

    def __init__(self, feed: KafkaFeed, consumer: KafkaConsumer) -> None:
        self.feed, self.consumer = feed, consumer

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        if self.feed.consumer is self.consumer:
            self.feed.seek_stored(list(assigned))


@dataclass
class _Plan:
    done: dict[TopicPartition, int] = field(default_factory=dict)  # next offset per partition
    last: dict[str, int] = field(default_factory=dict)  # notification id per tracking row
    wanted: list[tuple[int, Projection, str]] = field(default_factory=list)  # id, projection, row
    not_events: list[tuple[str, int, str, None, str]] = field(default_factory=list)  # faults


