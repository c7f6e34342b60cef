"""Relay throughput: the stored log published to Kafka, beside kafka-python's raw producer rate.

A PostgreSQL log of 200,000 events (quick: 20,000) is written by the bulk loader into a fresh
schema; then, in the same run, on the same broker, each on a fresh topic of 6 partitions:

- raw producer: one idempotent ``acks=all`` producer sending the relay's own messages (keys
  and JSON values made beforehand), send and flush — what kafka-python itself can do;
- relay, one process: ``gongxiao worker relay`` reading the log, encoding each event,
  sending, flushing and recording the positions, chunk after chunk, timed from its start
  until its positions cover the log (process start included, about half a second), with its
  peak memory beside its code at rest;
- relay, two processes: two such workers each serving 3 of the 6 partitions, started together.

Needs GONGXIAO_TEST_DATABASE_URL and GONGXIAO_TEST_KAFKA_BOOTSTRAP (``make bench`` sets them).
"""

from __future__ import annotations

import os
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import psycopg
from kafka import KafkaAdminClient

from bench._bulk import Loader, load
from bench._workers import Worker, at_rest_mb, worker_env
from bench.figures import Figure
from infra.kafka_clients import reliable_producer
from infra.kafka_events import event_value
from infra.kafka_positions import Positions
from infra.settings import Settings

TARGET = 20_000.0
PARTITIONS = 6


def run(quick: bool) -> list[Figure]:
    url = os.environ.get("GONGXIAO_TEST_DATABASE_URL") or os.environ.get("GONGXIAO_DATABASE_URL")
    bootstrap = (os.environ.get("GONGXIAO_TEST_KAFKA_BOOTSTRAP")
                 or os.environ.get("GONGXIAO_KAFKA_BOOTSTRAP"))
    if not url or not bootstrap:
        raise SystemExit("bench.relay needs PostgreSQL and Kafka: set GONGXIAO_TEST_DATABASE_URL "
                         "and GONGXIAO_TEST_KAFKA_BOOTSTRAP")
    run_id = uuid.uuid4().hex[:8]
    schema, topics = f"bench_relay_{run_id}", [f"bench.relay.{run_id}.{n}" for n in ("raw", "one", "two")]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    admin.create_topics({t: {"num_partitions": PARTITIONS, "replication_factor": 1} for t in topics},
                        timeout_ms=10_000, wait_for_metadata=True)
    env = {**Settings(database_url=url, kafka_bootstrap=bootstrap, var_dir=Path("var")).event_store_env(),
           "POSTGRES_SCHEMA": schema}
    try:
        events = load(env, 20_000 if quick else 200_000)
        raw = events / _raw(env, bootstrap, topics[0])
        workers = worker_env(url, GONGXIAO_KAFKA_BOOTSTRAP=bootstrap, POSTGRES_SCHEMA=schema)
        seconds, rss = _relays(env, workers, topics[1], [None])
        one = events / seconds
        two = events / _relays(env, workers, topics[2], ["0,1,2", "3,4,5"])[0]
        label = f"{events} events, {PARTITIONS} partitions"
        return [Figure(f"relay, 1 process ({label})", one, "events/s", "kafka-python raw producer",
                       raw, f">= {TARGET:.0f}/s", one >= TARGET),
                Figure(f"relay, 2 processes ({label})", two, "events/s", "kafka-python raw producer",
                       raw, f">= {TARGET:.0f}/s", two >= TARGET),
                Figure("relay worker peak RSS (1 process)", rss, "MB",
                       "workers.relay imported, at rest", at_rest_mb("relay"))]
    finally:
        admin.delete_topics(topics, timeout_ms=10_000, raise_errors=False)
        admin.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _raw(env: dict[str, str], bootstrap: str, topic: str) -> float:
    """Seconds for one producer to send and flush the relay's messages, made beforehand."""
    app = Loader(env=env)
    try:
        messages, position = [], 0
        while notes := app.recorder.select_notifications(start=position, limit=5_000,
                                                         inclusive_of_start=False):
            messages += [(str(n.originator_id), event_value(app, n)) for n in notes]
            position = notes[-1].id
    finally:
        app.close()
    producer = reliable_producer(bootstrap, client_id="bench-raw")
    try:
        producer.partitions_for(topic)
        started = time.perf_counter()
        for key, value in messages:
            producer.send(topic, key=key, value=value)
        producer.flush(timeout=300)
        return time.perf_counter() - started
    finally:
        producer.close(timeout=10)


def _relays(env: dict[str, str], workers: dict[str, str], topic: str,
            shares: list[str | None]) -> tuple[float, float]:
    """``gongxiao worker relay`` processes serving ``shares`` of the partitions, started
    together: seconds until their positions cover the whole log, and the first one's peak
    resident memory in MB."""
    app = Loader(env=env)
    positions = Positions(app.recorder, topic=topic)
    head = app.recorder.max_notification_id() or 0
    try:
        with ExitStack() as running:
            started = time.perf_counter()
            relays = [running.enter_context(Worker(
                "relay", "--topic", topic, *(["--partitions", share] if share else []),
                env=workers)) for share in shares]
            while min(p.position for p in positions.get(range(PARTITIONS)).values()) < head:
                for relay in relays:
                    relay.check()
                time.sleep(0.02)
            return time.perf_counter() - started, relays[0].peak_rss_mb()
    finally:
        app.close()
