"""``gongxiao worker scans``: scans sent by cold-store gateways to ``gongxiao.scans``, recorded.

Each message ``{scan_id, kind, body}`` runs the use case its POST runs (``infra.commands``)
with ``scan_id`` as the Idempotency-Key of the caller ``SCANS`` (the gateways, whose keys are
no token's): a scan delivered twice records one set of events. A scan that
cannot be recorded goes to ``gongxiao.scans.rejected`` as ``{scan_id, status, problem,
source}`` and the partition moves on: whatever the message holds (not UTF-8, not JSON,
nested too deep, huge, not a scan), whatever the POST or the domain refuses, and whatever
fails on our side (a bug, data the database refuses: 500, logged with its stack). Only an
event store that is down or too busy (``TRANSIENT``) holds a partition back, to try again.
Offsets are committed only after the events are stored and the rejections acknowledged, so
a crash repeats scans (harmless) and never drops one.

A poll's scans are recorded side by side so that group commit writes them together; scans of
one batch or one scan id keep their order, and any other kind waits for all the scans before
it in its partition (``_lanes``). Gateways should key their scans by cold-store site id, so
one site's scans (intake before grading before packing) are taken in the order they were made.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Annotated, Any

from eventsourcing.persistence import DataError, PersistenceError
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from infra.application import Busy, StoredGongxiao
from infra.commands import parse, perform
from infra.composition import Composition
from infra.event_json import loads
from infra.idempotency import SCANS, Replies
from infra.kafka_clients import (
    broker_of,
    check_delivered,
    group_consumer,
    reliable_producer,
    run_steps,
    stop_on_signals,
)
from infra.kafka_lanes import Job, Lanes, NotRun
from infra.kafka_rejections import (
    SCAN_ID_MAX,
    Rejection,
    key_and_value,
    rejection,
    scan_id_of,
    why_malformed,
)
from infra.problems import problem, problem_for, validation_problem
from infra.settings import Settings, Topics

log = logging.getLogger("gongxiao.scans")
GROUP = "gongxiao-scans"
# Scans recorded side by side. 16, not 8: the end of each poll leaves threads idle, and 16 fill
# group commit as well as 8 steady writers do; each holds at most one of the store's 16 connections.
THREADS = 16


class ScanMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scan_id: Annotated[str, StringConstraints(min_length=1, max_length=SCAN_ID_MAX,
                                              pattern=r"^[\x21-\x7e]+$")]
    kind: str
    body: dict[str, Any]


class ScanIntake:
    def __init__(self, *, app: StoredGongxiao, replies: Replies, topics: Topics,
                 consumer: Callable[[], KafkaConsumer], producer: Callable[[], KafkaProducer],
                 flush_timeout_s: float = 90.0, threads: int = THREADS) -> None:
        self.app, self.topics, self.flush_timeout_s = app, topics, flush_timeout_s
        self.replies = replies
        self.new_consumer, self.new_producer = consumer, producer
        self.consumer: KafkaConsumer | None = None
        self.producer: KafkaProducer | None = None
        self.lanes = Lanes(threads=threads, name="gongxiao-scan")
        self.recorded = self.rejected = 0

    def take(self, record: ConsumerRecord) -> Rejection | None:
        """Record one scan; answers the rejection to publish, or None when it was recorded.
        Raises ``StoreUnavailable`` when the event store cannot take it now."""
        return self._answer(record, self.decode(record))

    def decode(self, record: ConsumerRecord) -> ScanMessage | Rejection:
        """The scan a message holds, or the rejection of a message that holds none."""
        message: Any = None
        try:
            message = loads(record.value)
            return ScanMessage.model_validate(message)
        except ValidationError as error:
            return rejection(record, scan_id_of(message), *validation_problem(
                error.errors(include_url=False, include_input=False)))
        except (ValueError, TypeError, RecursionError) as error:  # not UTF-8, not JSON, too deep
            return rejection(record, None, 400, problem(
                400, f"the scan is not valid JSON: {why_malformed(error)}", slug="malformed-json",
                title="Malformed JSON"))
        except Exception as error:  # no message may stop the worker
            return rejection(record, scan_id_of(message), *problem_for(error))

    def record(self, record: ConsumerRecord, scan: ScanMessage) -> Rejection | None:
        """Run a decoded scan's use case; answers its rejection, or None when it was recorded.
        A store that is down or too busy now (``TRANSIENT``) raises ``StoreUnavailable``: the
        scan is taken again later. Anything else that fails ends as the scan's rejection,
        a failure of ours (a bug, data the store refuses) as a 500 logged with its stack."""
        try:
            status, answer, _ = perform(self.app, parse(scan.kind, scan.body), caller=SCANS,
                                        key=scan.scan_id, replies=self.replies)
        except DataError as refused:  # this scan's data, every time: it must not hold the rest
            log.error("the event store refused scan %r", scan.scan_id, exc_info=refused)
            status, answer = 500, problem(500, f"the event store refused this scan's data "
                                               f"({refused}); nothing was recorded",
                                          slug="unstorable")
        except TRANSIENT as unavailable:
            raise StoreUnavailable(str(unavailable)) from unavailable
        except Exception as refused:  # a refusal, or a bug: problem_for logs it
            status, answer = problem_for(refused)
        return None if 200 <= status < 300 else rejection(record, scan.scan_id, status, answer)

    def step(self, *, timeout_ms: int = 500) -> int:
        """Take one poll of scans; answers how many were taken (recorded or rejected).

        The poll's scans are recorded side by side (``infra.kafka_lanes``), in order per
        lane (``_lanes``); each partition's offset is committed up to its first scan that
        was not taken, after the rejections before it are acknowledged."""
        consumer = self.consumer or self._connect()
        producer = self.producer or self._produce()
        records = [r for batch in consumer.poll(timeout_ms=timeout_ms).values() for r in batch]
        jobs = []
        for record in records:
            decoded = self.decode(record)
            jobs.append(Job(partition=record.partition, lanes=_lanes(decoded),
                            run=partial(self._answer, record, decoded)))
        futures = self.lanes.run(jobs)
        failure = next((e for f in futures if (e := f.exception()) and not isinstance(e, NotRun)),
                       None)
        done: dict[TopicPartition, int] = {}
        stopped: set[TopicPartition] = set()
        rejections, taken = [], 0
        for record, future in zip(records, futures, strict=True):
            tp = TopicPartition(record.topic, record.partition)
            if tp in stopped:
                continue
            if future.exception() is not None:  # this scan, and the rest of its partition, later
                consumer.seek(tp, record.offset)
                stopped.add(tp)
                continue
            rejected = future.result()
            if rejected is None:
                self.recorded += 1
            else:
                log.info("scan %r rejected (%s): %s", rejected["scan_id"], rejected["status"],
                         rejected["problem"].get("detail"))
                key, value = key_and_value(rejected)
                rejections.append(producer.send(self.topics.rejected, key=key, value=value))
            done[tp] = record.offset + 1
            taken += 1
        if rejections:
            producer.flush(timeout=self.flush_timeout_s)
            check_delivered(rejections)
            self.rejected += len(rejections)
        if done:
            self._commit(consumer, done)
        if failure is not None:
            raise failure
        return taken

    def _answer(self, record: ConsumerRecord, decoded: ScanMessage | Rejection) -> Rejection | None:
        return decoded if not isinstance(decoded, ScanMessage) else self.record(record, decoded)

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
            self.lanes.close()

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


def _lanes(decoded: ScanMessage | Rejection) -> tuple[str, ...] | None:
    """What a scan must wait for: the scans before it of the same scan id and, for an intake
    or a grading, of the same batch; every other kind (packing draws on all the stock graded
    before it, a shipment on packs, a sale on a delivery) waits for all of its partition."""
    if not isinstance(decoded, ScanMessage):
        return ()  # rejected already: nothing to wait for
    batch = decoded.body.get("batch_code")
    if decoded.kind in ("intake", "grading") and isinstance(batch, str):
        return f"scan:{decoded.scan_id}", f"batch:{batch}"
    return None


class StoreUnavailable(Exception):
    """The event store did not answer: the scan was not recorded and must be taken again."""


# The store down, restarting or too busy: the scan waits and is taken again (DataError is the
# one PersistenceError a scan's own data causes, so it is caught before these).
TRANSIENT = (PersistenceError, Busy)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    bootstrap = broker_of(settings, "scan intake")
    topics = Topics(events=settings.topics.events, scans=args.topic or settings.topics.scans,
                    rejected=args.rejected_topic or settings.topics.rejected)
    wired = Composition(settings)
    try:
        intake = ScanIntake(app=wired.app, replies=wired.replies, topics=topics,
                            consumer=lambda: group_consumer(bootstrap, group_id=args.group,
                                                            client_id="gongxiao-scans"),
                            producer=lambda: reliable_producer(bootstrap, client_id="gongxiao-scans"))
        log.info("taking scans from %s (group %s), rejections to %s", topics.scans, args.group,
                 topics.rejected)
        intake.run(stop_on_signals())
    finally:
        wired.close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongxiao worker scans")
    parser.add_argument("--topic", default=None, help="scans topic (default gongxiao.scans)")
    parser.add_argument("--rejected-topic", default=None,
                        help="rejections topic (default gongxiao.scans.rejected)")
    parser.add_argument("--group", default=GROUP, help=f"consumer group (default {GROUP})")
    return parser
