"""Append: intake, grading and packing through the use cases on PostgreSQL with durable
commits, beside what the same server does with less in the way, all in the same run.

Baselines: raw psycopg inserting rows of the size of our stored events, one transaction per
row (the durable-commit limit) and 1,000 rows per transaction (the write limit); a bare
eventsourcing application saving one trivial aggregate per call (the library's own cost).
Then concurrent intake scans from several threads of one process, as the API's thread pool
sends them, with group commit and with one transaction per command. Needs
GONGXIAO_TEST_DATABASE_URL (``make bench`` sets it).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench._db import durable, fresh_database, percentile, server_url
from bench.figures import Figure
from infra.application import StoredGongxiao
from infra.group_commit import GroupCommit
from infra.settings import Settings
from tests.district import seed

NOW = datetime.now(UTC).replace(microsecond=0)
HARVEST = NOW - timedelta(days=1)
WRITERS = 8


def run(quick: bool) -> list[Figure]:
    cycles, seconds = (100, 2.0) if quick else (1000, 10.0)
    with fresh_database(server_url("append"), "append") as url:
        env = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path("var")).event_store_env()
        sync = "durable" if durable(url) else "NOT durable"
        app = seed(StoredGongxiao(env=env))
        try:
            flow = _use_cases(app, cycles)
            size = _event_size(app)
        finally:
            app.close()
        one = _raw(url, size, seconds, rows_per_commit=1)
        many = _raw(url, size, seconds, rows_per_commit=1000)
        bare = _bare(env, seconds)
        grouped = _concurrent_intake(env, seconds, group=True)
        alone = _concurrent_intake(env, seconds, group=False)
    return [
        Figure(f"use cases, 1 writer ({sync} commits)", flow["commands"], "cmds/s",
               f"raw psycopg, 1 txn per {size} B row", one),
        Figure("use cases, 1 writer", flow["commands"], "cmds/s",
               "bare eventsourcing app, 1 save/call", bare),
        Figure("use cases, 1 writer, events", flow["events"], "events/s",
               "raw psycopg, 1,000 rows per txn", many),
        Figure("use case latency p99, 1 writer", flow["p99"], "ms", "use case latency p50",
               flow["p50"]),
        # The stock grows by 10 packs a cycle (10,000 by the end of a full run): a ratio near 1
        # says a command costs no more on a large stock (domain/stock_state.py).
        Figure("use cases, 1 writer, last tenth of the run", flow["last"], "cmds/s",
               "the first tenth, on a small stock", flow["first"]),
        Figure(f"intake, {WRITERS} writers, group commit", grouped["rate"], "scans/s",
               f"intake, {WRITERS} writers, 1 txn/command", alone["rate"]),
        Figure(f"intake p99, {WRITERS} writers, group commit", grouped["p99"], "ms",
               f"intake p99, {WRITERS} writers, 1 txn/cmd", alone["p99"]),
        Figure("intake commands per transaction", grouped["per_commit"], "cmds/txn",
               "1 txn/command", alone["per_commit"]),
    ]


def _use_cases(app: StoredGongxiao, cycles: int) -> dict[str, float]:
    """Intake, grading into A and B, and a packing run of 10 packs drawn FEFO, per batch."""
    tag = uuid.uuid4().hex[:6]
    head = app.recorder.max_notification_id() or 0
    latencies: list[float] = []

    def timed(command: Callable[[], Any]) -> None:
        before = time.perf_counter()
        command()
        latencies.append((time.perf_counter() - before) * 1000)

    started = time.perf_counter()
    cycle_ms: list[float] = []
    for i in range(cycles):
        began = time.perf_counter()
        code = f"A{tag}-{i}"
        timed(lambda c=code: app.receive_batch(
            batch_code=c, site_id="yongan", farmer_id="zhang", sku="jiuhuang",
            harvested_at=HARVEST, net_kg=Decimal("100.5"), scanned_at=HARVEST + timedelta(hours=2)))
        timed(lambda c=code: app.grade_batch(batch_code=c, graded_at=HARVEST + timedelta(hours=3),
                                             grades={"A": "60", "B": "30"}, reject_kg="5"))
        timed(lambda i=i: app.run_packing(site_id="yongan", sku="jiuhuang", grade="A",
                                          pack_kg="0.5", count=10, packed_at=NOW,
                                          key=f"{tag}-{i}"))
        cycle_ms.append((time.perf_counter() - began) * 1000)
    elapsed = time.perf_counter() - started
    tenth = max(1, cycles // 10)
    events = (app.recorder.max_notification_id() or 0) - head
    return {"commands": len(latencies) / elapsed, "events": events / elapsed,
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "first": 3000 * tenth / sum(cycle_ms[:tenth]),
            "last": 3000 * tenth / sum(cycle_ms[-tenth:])}


def _event_size(app: StoredGongxiao) -> int:
    """The mean size of the stored events the use cases wrote (their JSON state)."""
    notes = app.recorder.select_notifications(start=1, limit=10_000)
    return round(sum(len(n.state) for n in notes) / len(notes))


def _raw(url: str, size: int, seconds: float, *, rows_per_commit: int) -> float:
    """Rows/s into a table shaped like the event store's, ``rows_per_commit`` per commit."""
    table = f"raw_{uuid.uuid4().hex[:8]}"
    state = b"x" * size
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (notification_id BIGSERIAL UNIQUE, originator_id UUID, "
                     "originator_version INT, topic TEXT, state BYTEA, "
                     "PRIMARY KEY (originator_id, originator_version))")
        rows, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            if rows_per_commit == 1:
                conn.execute(f"INSERT INTO {table} (originator_id, originator_version, topic, "
                             "state) VALUES (%s, 1, 'gongxiao:Batch.Received', %s)",
                             (uuid.uuid4(), state))
            else:
                with conn.transaction(), conn.cursor() as cur, cur.copy(
                        f"COPY {table} (originator_id, originator_version, topic, state) "
                        "FROM STDIN") as copy:
                    for _ in range(rows_per_commit):
                        copy.write_row((uuid.uuid4(), 1, "gongxiao:Batch.Received", state))
            rows += rows_per_commit
        rate = rows / (time.perf_counter() - started)
        conn.execute(f"DROP TABLE {table}")
    return rate


class Thing(Aggregate):
    @event("Made")
    def __init__(self, n: int) -> None:
        self.n = n


class Bare(Application[Any]):
    """The library alone: no use case, no rule, one small aggregate per save."""


def _bare(env: dict[str, str], seconds: float) -> float:
    app = Bare(env=env)
    try:
        saves, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            app.save(Thing(n=saves))
            saves += 1
        return saves / (time.perf_counter() - started)
    finally:
        app.close()


def _concurrent_intake(env: dict[str, str], seconds: float, *, group: bool) -> dict[str, float]:
    """``WRITERS`` threads sending intake scans of new batches for ``seconds``."""
    app = StoredGongxiao(env=env)
    if not group:
        app.group_commit = GroupCommit(app.events.put, max_commands=1)
    insert = app.recorder.insert_events
    commits = [0]

    def counted(stored: Any, **kwargs: Any) -> Any:
        commits[0] += 1
        return insert(stored, **kwargs)

    app.recorder.insert_events = counted  # type: ignore[method-assign]
    tag = uuid.uuid4().hex[:6]
    latencies: list[list[float]] = [[] for _ in range(WRITERS)]
    deadline = time.perf_counter() + seconds

    def writer(n: int) -> None:
        i = 0
        while time.perf_counter() < deadline:
            before = time.perf_counter()
            app.receive_batch(batch_code=f"C{tag}-{n}-{i}", site_id="yongan", farmer_id="wang",
                              sku="jiuhuang", harvested_at=HARVEST, net_kg=Decimal("80"),
                              scanned_at=HARVEST + timedelta(hours=2))
            latencies[n].append((time.perf_counter() - before) * 1000)
            i += 1

    try:
        started, cpu = time.perf_counter(), time.process_time()
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        app.close()
    every = [ms for mine in latencies for ms in mine]
    return {"rate": len(every) / elapsed, "p99": percentile(every, 99),
            "cpu_ms": cpu * 1000 / max(1, len(every)),
            "per_commit": len(every) / max(1, commits[0])}
