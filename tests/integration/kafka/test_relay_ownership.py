"""One relay per partition on the real PostgreSQL and broker: a second relay over the same
partitions publishes nothing while the first holds their advisory locks, takes over when the
first stops or dies, and a relay whose lock connection is cut records no position after it."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.application import Gongxiao
from infra.kafka_events import event_value
from infra.kafka_ownership import AdvisoryLocks, LockLost
from tests.integration.kafka.conftest import read_topic, wait_for
from tests.integration.kafka.flow import volume
from tests.integration.kafka.test_relay import deduplicated, log_by_partition, published, relay_for


def test_a_second_relay_publishes_nothing_until_the_first_stops_then_takes_over(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str],
        caplog: pytest.LogCaptureFixture) -> None:
    topic = make_topic("events")
    first_part = volume(pg_app, 300, corrections=2)
    relays = [relay_for(pg_app, kafka_bootstrap, topic, chunk=200, claim_every_s=0.2) for _ in range(2)]
    stops = [threading.Event(), threading.Event()]
    threads = [threading.Thread(target=r.run, args=(s,), kwargs={"idle_s": 0.05})
               for r, s in zip(relays, stops, strict=True)]
    caplog.set_level(logging.INFO, logger="gongxiao.relay")
    threads[0].start()
    wait_for(lambda: relays[0].locks.held == {0, 1, 2}, "the first relay to take the partitions")
    threads[1].start()
    try:
        wait_for(lambda: published(pg_app, topic) == first_part, "the first relay to publish the log")
        wait_for(lambda: "held by another relay" in caplog.text, "the second relay to say it waits")
        assert relays[1].sent == 0 and relays[1].locks.held == set()

        stops[0].set()
        threads[0].join(timeout=30)
        last = volume(pg_app, 100, corrections=2, prefix="w")
        wait_for(lambda: published(pg_app, topic) == last, "the second relay to take over")
    finally:
        for stop, thread in zip(stops, threads, strict=True):
            stop.set()
            thread.join(timeout=30)

    assert (relays[0].sent, relays[1].sent) == (first_part, last - first_part)
    records = read_topic(kafka_bootstrap, topic)
    assert sorted(r.value["notification_id"] for r in records) == list(range(1, last + 1)), \
        "a clean handover sends every event exactly once"
    assert deduplicated(records) == log_by_partition(pg_app)
    assert "gongxiao-relay@" in caplog.text, "the waiting relay names the one holding its partitions"


def test_a_relay_killed_while_another_waits_is_replaced_losing_nothing(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str],
        spawn: Callable[..., Any], tmp_path: Path) -> None:
    topic = make_topic("events")
    volume(pg_app, 2_000, corrections=2)
    first = spawn("relay", "--topic", topic, "--chunk", "500", log=tmp_path / "first.log")
    wait_for(lambda: published(pg_app, topic) > 0, "the first relay to get going")
    second = spawn("relay", "--topic", topic, "--chunk", "500", log=tmp_path / "second.log")
    wait_for(lambda: "held by another relay" in (tmp_path / "second.log").read_text(),
             "the second relay to find the partitions taken")
    assert f":{first.pid} (PostgreSQL pid" in (tmp_path / "second.log").read_text()

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    last = volume(pg_app, 200, corrections=2, prefix="w")
    wait_for(lambda: published(pg_app, topic) == last, "the second relay to take over")
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0

    assert "holds and publishes partitions [0, 1, 2]" in (tmp_path / "second.log").read_text()
    assert deduplicated(read_topic(kafka_bootstrap, topic)) == log_by_partition(pg_app)


def test_a_relay_whose_lock_connection_is_cut_mid_chunk_records_nothing_and_yields(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str],
        postgres_url: str) -> None:
    topic = make_topic("events")
    last = volume(pg_app, 100, corrections=2)
    cut: list[int] = []

    def encode_cutting_once(notification: Any) -> bytes:
        if not cut:  # the session holding the locks ends while the chunk is being sent
            assert isinstance(first.locks, AdvisoryLocks) and first.locks.connection is not None
            cut.append(first.locks.connection.info.backend_pid)
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (cut[0],))
        return event_value(pg_app, notification)

    first = relay_for(pg_app, kafka_bootstrap, topic, claim_every_s=0)
    first.encode = encode_cutting_once
    second = relay_for(pg_app, kafka_bootstrap, topic, claim_every_s=0)
    try:
        with pytest.raises(LockLost, match=r"partitions \[0, 1, 2\] failed"):
            first.publish_next()
        assert published(pg_app, topic) == 0, "a relay that lost its locks recorded a position"
        while second.publish_next():
            pass
        assert first.publish_next() == 0 and first.locks.held == set()
    finally:
        first.close()
        second.close()

    assert published(pg_app, topic) == last
    assert deduplicated(read_topic(kafka_bootstrap, topic)) == log_by_partition(pg_app)
