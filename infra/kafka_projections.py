"""Views fed from ``gongxiao.events`` by a consumer group: ``gongxiao worker projections --from kafka``.

Kafka keeps order per aggregate only, so only projections marked ``by_aggregate`` are fed this
way; the others keep following the log. Each worker of the group applies the events of the
partitions it is assigned and records, with the rows and in their transaction, per partition
the last notification id seen and the next offset (``infra.kafka_view_tracking``). Those rows
are the truth: the consumer is put back at the stored offset whenever it stands elsewhere and
ids already seen are skipped, so a rebalance, a crash or a relay duplicate never applies an
event twice. An event's body is read from the event store by its notification id: the
projections take the stored domain event, exact in every detail the JSON may round off.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from domain.topics import PREFIX
from infra.kafka_clients import group_consumer, run_steps
from infra.kafka_events import follows, previous_of
from infra.kafka_view_tracking import PartitionTracking
from infra.settings import Settings
from infra.views import Views
from infra.views.store import SqlBatch, SqlStore
from projections.base import Projection

# The event store's errors, and the views' own (their databases are reached directly).
DATABASE_ERRORS = (PersistenceError, psycopg.Error, sqlite3.Error)

log = logging.getLogger("gongxiao.projections.kafka")
GROUP = "gongxiao-projections"


def feed_from_kafka(app: Any, views: Views, settings: Settings, stop: threading.Event, *,
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
        names = [n for tp in polled for n in self.tracking.names(tp.partition)]
        with self.store.batch(names) as tx:
            if not self.tracking.claimed(tx):
                raise _Unclaimed
            done = self._apply(consumer, tx, polled)
        if done:
            self._commit(consumer, done)
        return sum(len(rs) for rs in polled.values())

    def run(self, stop: threading.Event) -> None:
        """Feed the views until stopped; a broker or database outage waits and resumes."""
        def step() -> None:
            try:
                self.step()
            except _Unclaimed:  # two workers claiming at once may deadlock: one retries
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

    def _apply(self, consumer: KafkaConsumer, tx: SqlBatch,
               polled: dict[TopicPartition, list[Any]]) -> dict[TopicPartition, int]:
        done: dict[TopicPartition, int] = {}
        last = {name: tx.positions[name] for name in (
            self.tracking.applied(p.name, tp.partition) for tp in polled for p in self.fed)}
        todo: list[tuple[int, str, Projection]] = []  # notification id, event topic, projection
        for tp, records in polled.items():
            stored = tx.positions[self.tracking.offset(tp.partition)]
            if records[0].offset != stored:  # a rebalance, a restart or a claim moved it
                consumer.seek(tp, stored)
                continue
            for record in records:
                note = _note(record.value)
                if note is None:
                    continue
                nid, topic = note
                previous = previous_of(record.headers)
                for projection in self.fed:  # a repeat, or a record come too early, is skipped
                    name = self.tracking.applied(projection.name, tp.partition)
                    if follows(last[name], nid, previous):
                        last[name] = nid  # events no fed view handles move the position too
                        if topic in projection.topics:
                            todo.append((nid, topic, projection))
            done[tp] = records[-1].offset + 1
        todo.sort(key=lambda item: item[0])
        events = self._events({nid for nid, _, _ in todo})
        tx.prefetch(need for nid, topic, p in todo for need in p.needs(topic, events[nid]))
        for nid, topic, projection in todo:
            projection.apply(topic, events[nid], tx.rows, nid)
        self.applied += len(events)
        for tp, offset in done.items():
            tx.track(self.tracking.offset(tp.partition), offset)
        for name, position in last.items():
            if position > tx.positions[name]:
                tx.track(name, position)
        return done

    def _events(self, ids: set[int]) -> dict[int, Any]:
        """The stored domain events of these notification ids, read in one range."""
        if not ids:
            return {}
        low, high = min(ids), max(ids)
        notes = self.app.recorder.select_notifications(start=low, stop=high, limit=high - low + 1,
                                                      topics=sorted(self.topics))
        found = {n.id: self.app.mapper.to_domain_event(n) for n in notes if n.id in ids}
        missing = ids - found.keys()
        if missing:
            raise PersistenceError(f"events {sorted(missing)[:5]} are on Kafka but not in the store")
        return found

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

def _note(value: bytes | None) -> tuple[int, str] | None:
    """(notification id, stored event topic) of a message; None for one that is not an event."""
    try:
        message = json.loads(value or b"")
        return int(message["notification_id"]), PREFIX + message["event_type"]
    except (ValueError, TypeError, KeyError):
        log.warning("skipping a message of the events topic that is not an event: %.80r", value)
        return None


class _SeekStored(ConsumerRebalanceListener):
    """Partitions this worker is given start at their stored offsets, not at Kafka's."""

    def __init__(self, feed: KafkaFeed, consumer: KafkaConsumer) -> None:
        self.feed, self.consumer = feed, consumer

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        if self.feed.consumer is self.consumer:
            self.feed.seek_stored(list(assigned))


class _Unclaimed(Exception):
    pass

