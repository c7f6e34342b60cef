"""The broker stopped and started under the running relay and scan intake: both recover by
themselves and nothing is lost — events recorded during the outage are published after it,
scans sent before and after it are all recorded.

This test stops the shared local broker (``infra/services/kafka.sh stop``) for a while, so
other Kafka tests running at the same moment will see it go; deselect it with
``-m "not kafka_outage"`` when sharing the broker.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from domain.application import Gongxiao
from domain.batch import Batch
from infra.kafka_clients import reliable_producer
from tests.district import intake, seed
from tests.integration.kafka.conftest import ROOT, read_topic, wait_for
from tests.integration.kafka.test_relay import deduplicated, log_by_partition, published
from tests.integration.kafka.test_scans import intake_body, scan

pytestmark = pytest.mark.kafka_outage
KAFKA_SH = ROOT / "infra" / "services" / "kafka.sh"


def broker(*args: str) -> None:
    subprocess.run(["bash", str(KAFKA_SH), *args], check=True, timeout=180,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def answers(bootstrap: str) -> bool:
    host, port = bootstrap.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        return True
    except OSError:
        return False


def send_scans(bootstrap: str, topic: str, codes: list[str]) -> None:
    producer = reliable_producer(bootstrap, client_id="test-gateway")
    try:
        for code in codes:
            producer.send(topic, key="yongan", value=scan(f"scan-{code}", "intake", intake_body(code)))
        producer.flush(timeout=60)
    finally:
        producer.close(timeout=10)


def test_relay_and_scan_intake_ride_out_a_broker_restart_losing_nothing(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str],
        spawn: Callable[..., Any], run_id: str, tmp_path: Path) -> None:
    seed(pg_app)
    events, scans = make_topic("events"), make_topic("scans")
    rejected = make_topic("rejected", partitions=1)
    # A short delivery timeout makes the relay give up on its producer during the outage,
    # so the test sees it start over with a new one from its recorded positions.
    workers = [spawn("relay", "--topic", events, "--delivery-timeout-ms", "3000",
                     log=tmp_path / "relay.log"),
               spawn("scans", "--topic", scans, "--rejected-topic", rejected,
                     "--group", f"scans-{run_id}", log=tmp_path / "scans.log")]
    before = [f"A{i}" for i in range(10)]
    send_scans(kafka_bootstrap, scans, before)
    stored = lambda codes: all(pg_app.find(Batch.create_id(c)) for c in codes)  # noqa: E731
    wait_for(lambda: stored(before), "the scans sent before the outage to be recorded")
    head = pg_app.recorder.max_notification_id() or 0
    wait_for(lambda: published(pg_app, events) >= head, "the relay to publish the log so far")

    broker("stop")
    try:
        assert not answers(kafka_bootstrap), "kafka.sh stop left the broker running"
        for i in range(10):  # the co-op keeps working while Kafka is away
            intake(pg_app, f"D{i}", day=1)
            time.sleep(1)
        during = pg_app.recorder.max_notification_id() or 0
    finally:
        broker()
    assert all(w.poll() is None for w in workers), "a worker died with the broker"

    after = [f"Z{i}" for i in range(10)]
    send_scans(kafka_bootstrap, scans, after)
    wait_for(lambda: stored(after), "the scans sent after the outage to be recorded", timeout_s=180)
    head = pg_app.recorder.max_notification_id() or 0
    assert head > during
    wait_for(lambda: published(pg_app, events) >= head, "the relay to publish everything",
             timeout_s=180)

    assert deduplicated(read_topic(kafka_bootstrap, events)) == log_by_partition(pg_app)
    assert read_topic(kafka_bootstrap, rejected) == []
    assert "relay paused" in (tmp_path / "relay.log").read_text(), "the outage went unnoticed"
