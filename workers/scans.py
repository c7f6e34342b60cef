"""``gongxiao worker scans``: scans sent by cold-store gateways to ``gongxiao.scans``, recorded.

Each message ``{scan_id, kind, body}`` runs the use case its POST runs (``infra.commands``)
with ``scan_id`` as the Idempotency-Key, and shares the API's kept replies: a scan delivered
twice, or sent once over HTTP and once over Kafka, records one set of events. A scan that
cannot be recorded — malformed JSON, an unknown kind, a body the POST would refuse, a rule
of the domain — goes to ``gongxiao.scans.rejected`` as ``{scan_id, status, problem}`` and
the partition moves on. Offsets are committed only after the events are stored and the
rejections acknowledged, so a crash repeats scans (harmless) and never drops one. Only an
event store that cannot be reached (503) holds a partition back, to try again.

Gateways should key their scans by cold-store site id, so one site's scans (intake before
grading before packing) are taken in the order they were made.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from eventsourcing.persistence import PersistenceError
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from domain.application import Gongxiao
from infra.commands import execute
from infra.composition import build_application
from infra.event_json import loads
from infra.idempotency import Replies
from infra.kafka_clients import (
    broker_of,
    check_delivered,
    group_consumer,
    reliable_producer,
    run_steps,
    stop_on_signals,
)
from infra.problems import problem, validation_problem
from infra.settings import Settings, Topics

log = logging.getLogger("gongxiao.scans")
GROUP = "gongxiao-scans"
UNAVAILABLE = 503


class ScanMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scan_id: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]
    kind: str
    body: dict[str, Any]


class ScanIntake:
    def __init__(self, *, app: Gongxiao, topics: Topics, consumer: Callable[[], KafkaConsumer],
                 producer: Callable[[], KafkaProducer], flush_timeout_s: float = 90.0) -> None:
        self.app, self.topics, self.flush_timeout_s = app, topics, flush_timeout_s
        self.replies = Replies(app.recorder)
        self.new_consumer, self.new_producer = consumer, producer
        self.consumer: KafkaConsumer | None = None
        self.producer: KafkaProducer | None = None
        self.recorded = self.rejected = 0

    def take(self, record: ConsumerRecord) -> dict[str, Any] | None:
        """Record one scan; answers the rejection to publish, or None when it was recorded.
        Raises ``StoreUnavailable`` when the event store cannot be reached."""
        scan_id = None
        try:
            message = loads(record.value)
            if isinstance(message, dict) and isinstance(message.get("scan_id"), str):
                scan_id = message["scan_id"]
            scan = ScanMessage.model_validate(message)
        except (ValueError, TypeError) as error:
            if isinstance(error, ValidationError):
                status, answer = validation_problem(error.errors(include_url=False, include_input=False))
            else:
                status, answer = 400, problem(400, "the scan is not valid JSON", slug="malformed-json",
                                              title="Malformed JSON")
        else:
            status, answer = execute(self.app, scan.kind, scan.body, scan.scan_id, replies=self.replies)
        if status == UNAVAILABLE:
            raise StoreUnavailable(answer["detail"])
        if 200 <= status < 300:
            return None
        return {"scan_id": scan_id, "status": status, "problem": answer,
                "source": {"topic": record.topic, "partition": record.partition,
                           "offset": record.offset}}

    def step(self, *, timeout_ms: int = 500) -> int:
        """Take one poll of scans; answers how many were taken (recorded or rejected)."""
        consumer = self.consumer or self._connect()
        producer = self.producer or self._produce()
        done: dict[TopicPartition, int] = {}
        rejections, unavailable, taken = [], None, 0
        for tp, records in consumer.poll(timeout_ms=timeout_ms).items():
            for record in records:
                try:
                    rejection = self.take(record)
                except StoreUnavailable as error:
                    consumer.seek(tp, record.offset)  # this scan, and the rest, again later
                    unavailable = error
                    break
                if rejection is None:
                    self.recorded += 1
                else:
                    log.info("scan %s rejected (%s): %s", rejection["scan_id"], rejection["status"],
                             rejection["problem"].get("detail"))
                    rejections.append(producer.send(self.topics.rejected, key=rejection["scan_id"],
                                                    value=rejection))
                done[tp] = record.offset + 1
                taken += 1
        if rejections:
            producer.flush(timeout=self.flush_timeout_s)
            check_delivered(rejections)
            self.rejected += len(rejections)
        if done:
            self._commit(consumer, done)
        if unavailable is not None:
            raise unavailable
        return taken

    def run(self, stop: threading.Event) -> None:
        """Take scans until stopped; a broker or store outage waits and resumes by itself."""
        def paused(error: BaseException) -> None:
            log.warning("scan intake paused; uncommitted scans come again: %r", error)
            if not isinstance(error, StoreUnavailable):
                self.disconnect()

        try:
            run_steps(stop, self.step, errors=(KafkaError, PersistenceError, StoreUnavailable),
                      paused=paused)
        finally:
            self.disconnect()

    def disconnect(self) -> None:
        """Drop both clients; the next step joins the group again from the committed offsets."""
        consumer, producer, self.consumer, self.producer = self.consumer, self.producer, None, None
        try:
            if consumer is not None:
                consumer.close(autocommit=False)
            if producer is not None:
                producer.close(timeout=5)
        except KafkaError as error:
            log.warning("closing a Kafka client failed: %r", error)

    def _commit(self, consumer: KafkaConsumer, done: dict[TopicPartition, int]) -> None:
        try:
            consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in done.items()})
        except CommitFailedError as error:  # the group moved on; the new owner takes them again
            log.info("offsets not committed after a rebalance: %r", error)

    def _connect(self) -> KafkaConsumer:
        consumer = self.new_consumer()
        consumer.subscribe([self.topics.scans])
        self.consumer = consumer
        return consumer

    def _produce(self) -> KafkaProducer:
        self.producer = self.new_producer()
        return self.producer


class StoreUnavailable(Exception):
    """The event store did not answer: the scan was not recorded and must be taken again."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    bootstrap = broker_of(settings, "scan intake")
    topics = Topics(events=settings.topics.events, scans=args.topic or settings.topics.scans,
                    rejected=args.rejected_topic or settings.topics.rejected)
    app = build_application(settings)
    try:
        intake = ScanIntake(app=app, topics=topics,
                            consumer=lambda: group_consumer(bootstrap, group_id=args.group,
                                                            client_id="gongxiao-scans"),
                            producer=lambda: reliable_producer(bootstrap, client_id="gongxiao-scans"))
        log.info("taking scans from %s (group %s), rejections to %s", topics.scans, args.group,
                 topics.rejected)
        intake.run(stop_on_signals())
    finally:
        app.close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongxiao worker scans")
    parser.add_argument("--topic", default=None, help="scans topic (default gongxiao.scans)")
    parser.add_argument("--rejected-topic", default=None,
                        help="rejections topic (default gongxiao.scans.rejected)")
    parser.add_argument("--group", default=GROUP, help=f"consumer group (default {GROUP})")
    return parser
