"""Kafka-fed views in a test: a ``gongxiao worker projections --from kafka`` in a thread, and
what tells that the views it feeds are complete."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from domain.application import Gongxiao
from infra.kafka_clients import group_consumer
from infra.kafka_projections import KafkaFeed
from infra.views import ReadModels
from infra.views.store import SqlStore
from tests.integration.kafka.test_relay import log_by_partition, relay_for


class Worker:
    """One ``gongxiao worker projections --from kafka``, in a thread of the test."""

    def __init__(self, app: Gongxiao, views: ReadModels, bootstrap: str, topic: str, group: str,
                 *, per_poll: int = 50, pause_s: float = 0.0,
                 projections: Sequence[Any] | None = None) -> None:
        fed = list(projections or views.projections.values())
        self.store = SqlStore(views.db, fed)
        self.feed = KafkaFeed(app=app, store=self.store, topic=topic, projections=fed,
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


def fed_to_the_end(views: ReadModels, app: Gongxiao, topic: str) -> bool:
    """Every fed view has applied the last event of every partition."""
    last = {q: ids[-1] for q, ids in log_by_partition(app).items()}
    names = [f"{n}@{topic}/{q}" for n in ("earnings", "orders") for q in last]
    positions = views.store.positions(names)
    return all(positions[f"{n}@{topic}/{q}"] >= last[q] for n in ("earnings", "orders") for q in last)


def no_drift(views: ReadModels, app: Gongxiao) -> None:
    reports = views.reconcile(app)
    assert {r["projection"]: r["drift"] for r in reports} == dict.fromkeys(views.names, 0), reports
