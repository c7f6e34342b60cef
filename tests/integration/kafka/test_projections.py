"""Views fed from gongxiao.events by a consumer group: two workers sharing three partitions give
the views one runner gives reading the log, across rebalances, a relay's duplicates and a
rebuild; a log runner beside them leaves the Kafka-fed views alone."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from bench._bulk import load
from domain.application import Gongxiao
from infra.kafka_positions import Positions
from infra.kafka_view_tracking import CLAIMED, PartitionTracking
from infra.views import ReadModels
from tests.integration.kafka.conftest import wait_for
from tests.integration.kafka.fed import Worker, fed_to_the_end, no_drift, publish, shared
from tests.integration.kafka.flow import trade


def test_two_workers_in_one_group_give_the_views_one_log_runner_gives(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str],
        views_of: Callable[[], ReadModels], start_worker: Callable[..., Worker]) -> None:
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
    assert set(views.lag(pg_app)) == {"stock", "trace", "epcis", "supply", "books"}
    # Both held partitions of their own when the events came (``shared``) and every partition
    # was fed to its end; which of them applied the views' events depends on where those
    # events' keys hash, so a worker may have had none to apply.
    assert sum(w.feed.applied for w in workers) > 0
    no_drift(views, pg_app)


def test_workers_joining_and_leaving_mid_stream_apply_each_event_once(
        pg_app: Gongxiao, pg_env: dict[str, str], kafka_bootstrap: str,
        make_topic: Callable[..., str], views_of: Callable[[], ReadModels],
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
        views_of: Callable[[], ReadModels], start_worker: Callable[..., Worker],
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
