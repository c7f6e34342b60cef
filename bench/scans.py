"""Scan intake over Kafka: intake scans published to the scans topic and taken in by ``gongxiao
worker scans`` on PostgreSQL, beside the same commands called directly, in the same run.

A fresh database gets the test district, and the run fresh topics (scans, 3 partitions;
rejections) and a fresh consumer group. In the same run:

- direct: ``infra.commands.execute`` — what the worker does with each message: validate the
  body as its POST would, run ``receive_batch``, keep the reply under the scan id — called
  in a loop in this process, one scan after another (the 1-writer rate);
- direct, 8 writers: the same from 8 threads of this process, whose commands the use cases'
  group commit writes together (what the worker, taking a poll's scans side by side, aims at);
- worker: ``gongxiao worker scans`` started and warmed by one scan it must take in (so its
  group is joined), then 5,000 intake scans (quick: 300) published by one gateway's producer,
  keyed by their cold store as gateways do, timed from the first send until the last batch
  is in the event store; every scan must be recorded. Its peak memory is set beside its code
  at rest (``bench._workers``);
- raw consume: kafka-python reading the same messages back from the topic.

Needs GONGXIAO_TEST_DATABASE_URL and GONGXIAO_TEST_KAFKA_BOOTSTRAP (``make bench`` sets them).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer

from bench._db import fresh_database, server_url
from bench._workers import Worker, at_rest_mb, worker_env
from bench.figures import Figure
from domain.batch import Batch
from infra.application import StoredGongxiao
from infra.commands import execute
from infra.idempotency import Replies
from infra.kafka_clients import reliable_producer
from infra.settings import Settings
from tests.district import seed

HARVEST = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
PARTITIONS = 3
WRITERS = 8


def run(quick: bool) -> list[Figure]:
    bootstrap = (os.environ.get("GONGXIAO_TEST_KAFKA_BOOTSTRAP")
                 or os.environ.get("GONGXIAO_KAFKA_BOOTSTRAP"))
    if not bootstrap:
        raise SystemExit("bench.scans needs Kafka: set GONGXIAO_TEST_KAFKA_BOOTSTRAP")
    count, seconds = (300, 2.0) if quick else (5_000, 10.0)
    run_id = uuid.uuid4().hex[:8]
    with fresh_database(server_url("scans"), "scans") as url, \
            _topics(bootstrap, run_id) as (scans, rejected):
        app = seed(StoredGongxiao(env=Settings(database_url=url, kafka_bootstrap=None,
                                         var_dir=Path("var")).event_store_env()))
        try:
            direct = _direct(app, seconds)
            grouped = _direct(app, seconds, writers=WRITERS)
            env = worker_env(url, GONGXIAO_KAFKA_BOOTSTRAP=bootstrap)
            with Worker("scans", "--topic", scans, "--rejected-topic", rejected,
                        "--group", f"bench-scans-{run_id}", env=env) as worker:
                _publish(app, worker, bootstrap, scans, [_scan(f"W{run_id}")])  # warm up
                messages = [_scan(f"K{run_id}-{i}") for i in range(count)]
                taken = count / _publish(app, worker, bootstrap, scans, messages)
                rss = worker.peak_rss_mb()
            consumed = (count + 1) / _consume(bootstrap, scans, count + 1)
        finally:
            app.close()
    return [
        Figure(f"scan intake worker, end to end ({count} scans)", taken, "scans/s",
               "the same commands called directly", direct),
        Figure("scan intake worker, end to end", taken, "scans/s",
               f"the same commands from {WRITERS} threads (group commit)", grouped),
        Figure("scan intake worker, end to end", taken, "scans/s",
               "kafka-python consuming the same scans", consumed),
        Figure("scan intake worker peak RSS", rss, "MB", "workers.scans imported, at rest",
               at_rest_mb("scans")),
    ]


def _scan(code: str) -> dict[str, Any]:
    return {"scan_id": f"scan-{code}", "kind": "intake", "body": {
        "batch_code": code, "site_id": "yongan", "farmer_id": "zhang", "sku": "jiuhuang",
        "harvested_at": HARVEST.isoformat(), "net_kg": 100.5,
        "scanned_at": (HARVEST + timedelta(hours=3)).isoformat()}}


def _direct(app: StoredGongxiao, seconds: float, *, writers: int = 1) -> float:
    """Scans a second through the worker's own use case call, with no broker in the way,
    from ``writers`` threads."""
    replies, tag = Replies(app.recorder), uuid.uuid4().hex[:6]
    done = [0] * writers
    deadline = time.perf_counter() + seconds

    def write(n: int) -> None:
        while time.perf_counter() < deadline:
            scan = _scan(f"D{tag}-{n}-{done[n]}")
            status, answer = execute(app, scan["kind"], scan["body"], scan["scan_id"],
                                     replies=replies)
            if status != 201:
                raise RuntimeError(f"a direct intake was refused: {answer}")
            done[n] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(writers) as pool:
        for writing in [pool.submit(write, n) for n in range(writers)]:
            writing.result()
    return sum(done) / (time.perf_counter() - started)


def _publish(app: StoredGongxiao, worker: Worker, bootstrap: str, topic: str,
             messages: list[dict[str, Any]]) -> float:
    """Seconds from the first send until every scan's batch is in the event store. One key
    (the cold store) keeps them in order, so the last batch stored means all are."""
    head = app.recorder.max_notification_id() or 0
    last = Batch.create_id(messages[-1]["body"]["batch_code"])
    producer = reliable_producer(bootstrap, client_id="bench-gateway")
    try:
        producer.partitions_for(topic)
        started = time.perf_counter()
        for message in messages:
            producer.send(topic, key="yongan", value=message)
        producer.flush(timeout=60)
        while app.find(last) is None:
            worker.check()
            time.sleep(0.01)
        seconds = time.perf_counter() - started
    finally:
        producer.close(timeout=10)
    received = sum(n.topic.endswith("Batch.Received") for n in _since(app, head))
    if received != len(messages):
        raise RuntimeError(f"{len(messages)} scans sent, {received} batches received")
    return seconds


def _since(app: StoredGongxiao, position: int) -> Iterator[Any]:
    while notes := app.recorder.select_notifications(start=position, limit=5_000,
                                                     inclusive_of_start=False):
        yield from notes
        position = notes[-1].id


def _consume(bootstrap: str, topic: str, count: int) -> float:
    """Seconds for a kafka-python consumer to read ``count`` messages from the beginning."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None)
    try:
        consumer.topics()  # connected before the clock starts
        started, read = time.perf_counter(), 0
        while read < count:
            read += sum(len(records) for records in consumer.poll(timeout_ms=1_000).values())
            if time.perf_counter() - started > 120:
                raise RuntimeError(f"read {read} of {count} scans back in 120 s")
        return time.perf_counter() - started
    finally:
        consumer.close(autocommit=False)


@contextmanager
def _topics(bootstrap: str, run_id: str) -> Iterator[tuple[str, str]]:
    """A scans topic and a rejections topic of this run's own, deleted afterwards."""
    scans, rejected = f"bench.scans.{run_id}", f"bench.scans.{run_id}.rejected"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        admin.create_topics({scans: {"num_partitions": PARTITIONS, "replication_factor": 1},
                             rejected: {"num_partitions": 1, "replication_factor": 1}},
                            timeout_ms=10_000, wait_for_metadata=True)
        yield scans, rejected
    finally:
        admin.delete_topics([scans, rejected], timeout_ms=10_000, raise_errors=False)
        admin.close()
