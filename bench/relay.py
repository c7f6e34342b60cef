"""Relay throughput: the stored log published to Kafka, beside kafka-python's raw producer rate.

A PostgreSQL log of 200,000 events (quick: 20,000) is written by the bulk loader into a fresh
schema; then, in the same run, on the same broker, each on a fresh topic of 6 partitions:

- raw producer: one idempotent ``acks=all`` producer sending the relay's own messages (keys
  and JSON values made beforehand), send and flush — what kafka-python itself can do;
- relay, one process: read the log, encode each event, send, flush, record the positions,
  chunk after chunk until caught up — ``gongxiao worker relay``;
- relay, two processes: each serving 3 of the 6 partitions, timed from a common start.

Needs GONGXIAO_TEST_DATABASE_URL and GONGXIAO_TEST_KAFKA_BOOTSTRAP (``make bench`` sets them).
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from kafka import KafkaAdminClient

from bench._bulk import Loader, load
from bench.figures import Figure
from infra.kafka_clients import reliable_producer
from infra.kafka_events import event_value
from infra.settings import Settings
from workers.relay import Relay

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
        one = events / _relays(env, bootstrap, topics[1], [None])
        two = events / _relays(env, bootstrap, topics[2], [[0, 1, 2], [3, 4, 5]])
        label = f"{events} events, {PARTITIONS} partitions"
        return [Figure(f"relay, 1 process ({label})", one, "events/s", "kafka-python raw producer",
                       raw, f">= {TARGET:.0f}/s", one >= TARGET),
                Figure(f"relay, 2 processes ({label})", two, "events/s", "kafka-python raw producer",
                       raw, f">= {TARGET:.0f}/s", two >= TARGET)]
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


def _relays(env: dict[str, str], bootstrap: str, topic: str, shares: list[Any]) -> float:
    """Seconds from a common start until relays serving ``shares`` have published the log."""
    spawn = multiprocessing.get_context("spawn")
    go, ready, ends = spawn.Event(), spawn.Queue(), spawn.Queue()
    workers = [spawn.Process(target=_relay, args=(env, bootstrap, topic, share, go, ready, ends))
               for share in shares]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            ready.get(timeout=120)
        started = time.perf_counter()
        go.set()
        finished = max(ends.get(timeout=900) for _ in workers)
        return finished - started
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()


def _relay(env: dict[str, str], bootstrap: str, topic: str, share: list[int] | None,
           go: Any, ready: Any, ends: Any) -> None:
    """One relay process: connected and ready, then publishing from the signal to the end."""
    app = Loader(env=env)
    producer = reliable_producer(bootstrap, client_id="bench-relay")
    relay = Relay(recorder=app.recorder, connect=lambda: producer, topic=topic, partitions=share,
                  encode=lambda n: event_value(app, n))
    try:
        producer.partitions_for(topic)
        ready.put(True)
        go.wait()
        while relay.publish_next():
            pass
        ends.put(time.perf_counter())
    finally:
        relay.disconnect()
        app.close()
