"""Kafka-fed views on the real broker survive what they cannot take: an event a projection
fails on is kept as a fault of that view, a message of the events topic that is not an event
is kept as a fault at its offset, and the events behind both are applied by a worker that
goes on running; /healthz says degraded and /metrics counts them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from kafka import KafkaProducer

from api.main import create_app
from domain.application import Gongxiao
from infra.settings import Settings
from infra.views import ReadModels
from tests.integration.kafka.conftest import wait_for
from tests.integration.kafka.fed import Worker, fed_to_the_end, no_drift, publish
from tests.integration.kafka.flow import trade
from tests.poison import Refusing, position_of

NOT_EVENTS = [  # (what it is, its bytes, a word of the reason kept with its fault)
    ("not JSON", b"not json", "JSONDecodeError"),
    ("not UTF-8, with a NUL", b"\xff\x00\xfe", "UnicodeDecodeError"),
    ("nested past the parser's depth", b"[" * 100_000 + b"]" * 100_000, "RecursionError"),
    ("a list", b"[1, 2]", "TypeError"),
    ("an id that is text", json.dumps({"notification_id": "7", "event_type": "Order.Placed"}).encode(),
     "notification_id '7'"),
    ("an event type we do not have", json.dumps({"notification_id": 7,
                                                 "event_type": "Order.Exploded"}).encode(),
     "event_type 'Order.Exploded'"),
]


def running_to_the_end(worker: Worker, views: ReadModels, app: Gongxiao, topic: str) -> bool:
    """The worker has fed every partition to its end, or has died (which ends the wait)."""
    return not worker.thread.is_alive() or fed_to_the_end(views, app, topic)


def test_an_event_a_kafka_fed_projection_cannot_take_is_a_fault_and_the_events_behind_it_are_applied(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str], postgres_url: str,
        views_of: Callable[[], ReadModels], start_worker: Callable[..., Worker]) -> None:
    topic = make_topic("events")
    trade(pg_app, days=1)
    poison = position_of(pg_app, "Order.Shipped", 0)
    views = views_of()
    fed = [Refusing(p, poison) if p.name == "orders" else p for p in views.projections.values()]
    worker = start_worker(topic, projections=fed)
    publish(pg_app, kafka_bootstrap, topic)
    wait_for(lambda: running_to_the_end(worker, views, pg_app, topic), "the first day to be fed")
    trade(pg_app, days=1, first_day=1)  # good events after the poison, in later polls
    publish(pg_app, kafka_bootstrap, topic)
    wait_for(lambda: running_to_the_end(worker, views, pg_app, topic), "the second day to be fed")

    assert worker.thread.is_alive(), "the worker stopped on the event its projection refused"
    [fault] = views.faults()
    assert (fault["name"], fault["position"], fault["topic"], fault["error"]) == (
        "orders", poison, "gongxiao:Order.Shipped", "ValueError: cannot take gongxiao:Order.Shipped")
    statuses = {r["order_id"]: r["status"]
                for r in views.db.fetch("SELECT order_id, status FROM order_summaries")}
    assert len(statuses) == 4, "every order of both days is in the view"
    assert statuses == {o: "placed" if o == fault["originator_id"] else "shipped" for o in statuses}
    views.runner(pg_app).catch_up()
    drift = {r["projection"]: r["drift"] for r in views.reconcile(pg_app)}
    assert drift == {"earnings": 0, "stock": 0, "trace": 0, "orders": 2, "epcis": 0, "supply": 0,
                     "books": 0}, "one order row differs"
    health, metrics = _health(pg_app, views, postgres_url)
    assert (health["status"], health["checks"]["views"]["orders"]) == (
        "degraded", {"faults": 1, "state": "fed_from_kafka"})
    assert 'gongxiao_projection_faults{view="orders"} 1.0' in metrics


def test_messages_that_are_not_events_are_faults_at_their_offsets_and_the_events_behind_them_are_applied(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str], postgres_url: str,
        views_of: Callable[[], ReadModels], start_worker: Callable[..., Worker]) -> None:
    topic = make_topic("events")
    views = views_of()
    worker = start_worker(topic)
    sent = _send(kafka_bootstrap, topic, [value for _, value, _ in NOT_EVENTS])
    trade(pg_app, days=2)
    publish(pg_app, kafka_bootstrap, topic)
    wait_for(lambda: running_to_the_end(worker, views, pg_app, topic), "the events to be fed")

    assert worker.thread.is_alive(), "the worker stopped on a message that is not an event"
    faults = {(f["name"], f["position"]): f for f in views.faults()}
    assert set(faults) == {(f"kafka-offset@{topic}/{q}", offset) for q, offset in sent}
    for (what, value, reason), (q, offset) in zip(NOT_EVENTS, sent, strict=True):
        fault = faults[(f"kafka-offset@{topic}/{q}", offset)]
        assert fault["topic"] == f"{topic}/{q}@{offset}", what
        assert fault["error"].startswith("NotAnEvent: ") and reason in fault["error"], (what, fault)
        assert repr(value)[:40] in fault["error"], what
    views.runner(pg_app).catch_up()
    no_drift(views, pg_app)
    health, metrics = _health(pg_app, views, postgres_url)
    assert health["status"] == "degraded"
    for q in range(3):
        name = f"kafka-offset@{topic}/{q}"
        count = sum(1 for p, _ in sent if p == q)
        assert health["checks"]["views"][name] == {"faults": count, "state": "fed_from_kafka"}
        assert f'gongxiao_projection_faults{{view="{name}"}} {count}.0' in metrics


def _health(app: Gongxiao, views: ReadModels, postgres_url: str) -> tuple[dict[str, Any], str]:
    """What /healthz (200) and /metrics of an API over these views answer."""
    settings = Settings(database_url=postgres_url, kafka_bootstrap=None, var_dir=Path("var"))
    with TestClient(create_app(app, settings=settings, views=views, project=False)) as client:
        health = client.get("/healthz")
        assert health.status_code == 200, health.text
        return health.json(), client.get("/metrics").text


def _send(bootstrap: str, topic: str, values: list[bytes]) -> list[tuple[int, int]]:
    """Send each value to a partition in turn; answers (partition, offset) of each."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=1_000_000)
    try:
        futures: list[Any] = [producer.send(topic, value=v, partition=i % 3)
                              for i, v in enumerate(values)]
        producer.flush(timeout=30)
        return [(m.partition, m.offset) for m in (f.get(timeout=30) for f in futures)]
    finally:
        producer.close()
