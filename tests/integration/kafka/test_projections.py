"""Views fed from gongxiao.events by a consumer group: two workers sharing three partitions give
the views one runner gives reading the log, across rebalances, a relay's duplicates and a
rebuild; a log runner beside them leaves the Kafka-fed views alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bench._bulk import load
from domain.application import Gongxiao
from infra.kafka_clients import group_consumer
from infra.kafka_positions import Positions
from infra.kafka_projections import KafkaFeed
from infra.kafka_view_tracking import CLAIMED, PartitionTracking
from infra.settings import Settings
from infra.views import Views, build_views
from infra.views.store import SqlStore
from tests.integration.kafka.conftest import wait_for
from tests.integration.kafka.flow import trade
from tests.integration.kafka.test_relay import log_by_partition, relay_for


class Worker:
    """One ``gongxiao worker projections --from kafka``, in a thread of the test."""

    def __init__(self, app: Gongxiao, views: Views, bootstrap: str, topic: str, group: str,
                 *, per_poll: int = 50, pause_s: float = 0.0) -> None:
        self.store = SqlStore(views.db, list(views.projections.values()))
        self.feed = KafkaFeed(app=app, store=self.store, topic=topic,
                              projections=list(views.projections.values()),
                              consumer=lambda: group_consumer(bootstrap, group_id=group,
                                                              client_id="test-projections",
                                                              max_poll_records=per_poll))
        if pause_s:  # a slow worker, so that rebalances land mid-stream
            step = self.feed.step
            self.feed.step = lambda **kw: time.sleep(pause_s) or step(**kw)  # type: ignore[method-assign]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.feed.run, args=(self.stop,))
        self.thread.start()

    def halt(self) -> None:
        if self.thread.is_alive():
            self.stop.set()
            self.thread.join(timeout=30)
            assert not self.thread.is_alive(), "a Kafka-fed worker did not stop"
            self.store.close()


@pytest.fixture
def start_worker(pg_app: Gongxiao, kafka_bootstrap: str, run_id: str,
                 views_of: Callable[[], Views]) -> Iterator[Callable[..., Worker]]:
    """Start workers of one group on a topic; every one is halted when the test ends."""
    started: list[Worker] = []

    def start(topic: str, **options: Any) -> Worker:
        started.append(Worker(pg_app, views_of(), kafka_bootstrap, topic, f"views-{run_id}",
                              **options))
        return started[-1]

    yield start
    for worker in started:
        worker.halt()


@pytest.fixture
def views_of(pg_env: dict[str, str], postgres_url: str, tmp_path: Path) -> Iterator[Callable[[], Views]]:
    """Views in the test's schema, one object per worker, as separate processes would have."""
    made: list[Views] = []
    settings = Settings(database_url=postgres_url, kafka_bootstrap=None, var_dir=tmp_path)

    def make() -> Views:
        made.append(build_views(settings, schema=pg_env["POSTGRES_SCHEMA"]))
        return made[-1]

    yield make
    for views in made:
        views.close()


def publish(app: Gongxiao, bootstrap: str, topic: str, **options: Any) -> None:
    relay = relay_for(app, bootstrap, topic, **options)
    try:
        while relay.publish_next():
            pass
    finally:
        relay.close()


def shared(workers: list[Worker], partitions: int = 3) -> bool:
    """The group has settled: each worker holds partitions, none twice, all of them held (a
    worker seen mid-rebalance may still hold what is being dealt to the other)."""
    held = [w.feed.consumer.assignment() if w.feed.consumer else set() for w in workers]
    every = [tp.partition for mine in held for tp in mine]
    return all(held) and sorted(every) == list(range(partitions))


def fed_to_the_end(views: Views, app: Gongxiao, topic: str) -> bool:
    """Every fed view has applied the last event of every partition."""
    last = {q: ids[-1] for q, ids in log_by_partition(app).items()}
    names = [f"{n}@{topic}/{q}" for n in ("earnings", "orders") for q in last]
    positions = views.store.positions(names)
    return all(positions[f"{n}@{topic}/{q}"] >= last[q] for n in ("earnings", "orders") for q in last)


def no_drift(views: Views, app: Gongxiao) -> None:
    reports = views.reconcile(app)
    assert {r["projection"]: r["drift"] for r in reports} == dict.fromkeys(views.names, 0), reports


def test_two_workers_in_one_group_give_the_views_one_log_runner_gives(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str],
        views_of: Callable[[], Views], start_worker: Callable[..., Worker]) -> None:
    topic = make_topic("events")
    trade(pg_app, days=3)
    views = views_of()
    workers = [start_worker(topic), start_worker(topic)]
    log_runner_stop = threading.Event()
    log_runner = threading.Thread(target=views.runner(pg_app).run, args=(log_runner_stop,),
                                  kwargs={"idle": 0.05})
    try:
        wait_for(lambda: shared(workers), "both workers to hold partitions of their own")
        publish(pg_app, kafka_bootstrap, topic, chunk=40)
        positions = Positions(pg_app.recorder, topic=topic)  # as if the relay died before
        positions.tables.run(f"UPDATE {positions.table} SET position = 0, last_event = 0 WHERE partition = 1")
        publish(pg_app, kafka_bootstrap, topic, chunk=40)  # so partition 1 has it all twice
        wait_for(lambda: fed_to_the_end(views, pg_app, topic), "both workers to feed every partition")

        log_runner.start()  # as `gongxiao serve` runs one: it must leave the fed views alone
        trade(pg_app, days=1, first_day=3)
        publish(pg_app, kafka_bootstrap, topic)
        head = pg_app.recorder.max_notification_id() or 0
        wait_for(lambda: fed_to_the_end(views, pg_app, topic), "both workers to feed the new day")
        wait_for(lambda: views.store.positions(["stock", "trace"]) == {"stock": head, "trace": head},
                 "the log runner to catch up")
    finally:
        for worker in workers:
            worker.halt()
        log_runner_stop.set()
        if log_runner.is_alive():
            log_runner.join(timeout=30)
    assert views.store.positions(["earnings", "orders"]) == {"earnings": CLAIMED, "orders": CLAIMED}
    # The log's lag speaks only of the views the log feeds; the group's lag is Kafka's.
    assert set(views.lag(pg_app)) == {"stock", "trace"}
    # Both held partitions of their own when the events came (``shared``) and every partition
    # was fed to its end; which of them applied the views' events depends on where those
    # events' keys hash, so a worker may have had none to apply.
    assert sum(w.feed.applied for w in workers) > 0
    no_drift(views, pg_app)


def test_workers_joining_and_leaving_mid_stream_apply_each_event_once(
        pg_app: Gongxiao, pg_env: dict[str, str], kafka_bootstrap: str,
        make_topic: Callable[..., str], views_of: Callable[[], Views],
        start_worker: Callable[..., Worker]) -> None:
    topic = make_topic("events")
    load(pg_env, 3_000)
    publish(pg_app, kafka_bootstrap, topic)
    views = views_of()
    first = start_worker(topic, per_poll=10, pause_s=0.02)
    wait_for(lambda: first.feed.applied >= 50, "the first worker to get going", every_s=0.01)
    second = start_worker(topic, per_poll=10, pause_s=0.02)  # a rebalance
    wait_for(lambda: second.feed.consumer and second.feed.consumer.assignment(),
             "the second worker to be assigned partitions", every_s=0.01)
    assert not fed_to_the_end(views, pg_app, topic), "the rebalance did not land mid-stream"
    wait_for(lambda: second.feed.applied >= 20, "the second worker to apply events", every_s=0.01)
    first.halt()  # another rebalance: the second takes every partition
    wait_for(lambda: fed_to_the_end(views, pg_app, topic), "the second worker to finish",
             timeout_s=180)
    views.runner(pg_app).catch_up()
    no_drift(views, pg_app)

    views.rebuild(pg_app, "earnings")  # hands earnings back to the log at its position …
    trade(pg_app, days=1)
    publish(pg_app, kafka_bootstrap, topic)
    wait_for(lambda: fed_to_the_end(views, pg_app, topic), "the worker to take earnings back",
             timeout_s=180)
    second.halt()
    views.runner(pg_app).catch_up()
    assert views.store.positions(["earnings"]) == {"earnings": CLAIMED}
    no_drift(views, pg_app)


def test_a_worker_whose_claim_meets_a_deadlock_pauses_and_feeds_on(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str],
        views_of: Callable[[], Views], start_worker: Callable[..., Worker],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers claiming the views at once can deadlock on their tracking rows; PostgreSQL
    aborts one of them. That worker must back off and try again, not die."""
    topic = make_topic("events")
    trade(pg_app, days=1)
    claim, failed = PartitionTracking.claim, []

    def deadlocked_once(self: PartitionTracking, partitions: Any) -> None:
        if not failed:
            failed.append(partitions)
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        claim(self, partitions)

    monkeypatch.setattr(PartitionTracking, "claim", deadlocked_once)
    views = views_of()
    worker = start_worker(topic)
    publish(pg_app, kafka_bootstrap, topic)
    wait_for(lambda: fed_to_the_end(views, pg_app, topic), "the worker to feed every partition")
    assert failed and worker.thread.is_alive()
    assert worker.feed.applied > 0
