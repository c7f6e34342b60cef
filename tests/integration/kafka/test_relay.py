"""The relay on the real broker: the stored log arrives whole, in log order per key, and a relay
killed mid-stream resumes from its recorded position without losing or reordering anything."""

from __future__ import annotations

import signal
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from domain.application import Gongxiao
from infra.event_json import dumps, encode_notification, loads
from infra.kafka_clients import reliable_producer
from infra.kafka_events import event_value, follows, partition_for
from infra.kafka_positions import Positions
from tests.integration.kafka.conftest import Record, read_topic, wait_for
from tests.integration.kafka.flow import trade, volume
from tests.servers import running
from workers.relay import Relay


def relay_for(app: Gongxiao, bootstrap: str, topic: str, **options: Any) -> Relay:
    return Relay(recorder=app.recorder, topic=topic, encode=lambda n: event_value(app, n),
                 connect=lambda: reliable_producer(bootstrap, client_id="test-relay"), **options)


def published(app: Gongxiao, topic: str, partitions: int = 3) -> int:
    """How far every partition of ``topic`` is recorded as published."""
    return min(p.position for p in Positions(app.recorder, topic=topic).get(range(partitions)).values())


def in_topic(bootstrap: str, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        return sum(consumer.end_offsets([TopicPartition(topic, p) for p in range(3)]).values())
    finally:
        consumer.close()


def deduplicated(records: list[Record]) -> dict[int, list[int]]:
    """What a consumer keeps: per partition, each message that follows what it has."""
    kept: dict[int, list[int]] = defaultdict(list)
    for r in records:
        nid = r.value["notification_id"]
        assert r.previous is not None, "every message names the event before it"
        if follows(kept[r.partition][-1] if kept[r.partition] else 0, nid, r.previous):
            kept[r.partition].append(nid)
    return dict(kept)


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def log_by_partition(app: Gongxiao, partitions: int = 3) -> dict[int, list[int]]:
    expected: dict[int, list[int]] = defaultdict(list)
    for n in app.recorder.select_notifications(start=1, limit=1_000_000):
        expected[partition_for(str(n.originator_id), partitions)].append(n.id)
    return dict(expected)


def test_every_stored_event_arrives_once_in_log_order_for_its_key(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str]) -> None:
    topic = make_topic("events")
    last = trade(pg_app)
    relay = relay_for(pg_app, kafka_bootstrap, topic, chunk=100)
    try:
        while relay.publish_next():
            pass
    finally:
        relay.close()

    records = read_topic(kafka_bootstrap, topic)
    log = pg_app.recorder.select_notifications(start=1, limit=last)
    assert [r.value["notification_id"] for r in sorted(
        records, key=lambda r: r.value["notification_id"])] == [n.id for n in log]
    for partition in range(3):  # each message names the one before it in its partition
        chain = [(r.previous, r.value["notification_id"]) for r in records if r.partition == partition]
        assert [p for p, _ in chain] == [0] + [n for _, n in chain[:-1]]
    by_key: dict[str, list[int]] = defaultdict(list)
    for r in records:
        assert r.key == r.value["aggregate_id"] and r.partition == partition_for(r.key, 3)
        by_key[r.key].append(r.value["notification_id"])
    for key, ids in by_key.items():
        assert ids == sorted(ids), f"events of {key} out of log order: {ids}"
    stored = {n.id: loads(dumps(encode_notification(pg_app, n))) for n in log}
    assert all(r.value == stored[r.value["notification_id"]] for r in records)
    assert {r.value["event_type"] for r in records} >= {
        "Batch.Received", "Batch.Graded", "Stock.Packed", "Order.Placed", "Shipment.Departed",
        "Shipment.Delivered", "Shelf.Sold", "Farmer.Paid", "InputSale.Recorded"}


def test_a_relay_serving_some_partitions_leaves_the_others_to_another(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str]) -> None:
    topic = make_topic("events", partitions=4)
    volume(pg_app, 300, corrections=2)
    relays = [relay_for(pg_app, kafka_bootstrap, topic, partitions=p, chunk=200)
              for p in ([0, 1], [2, 3])]
    stop = threading.Event()
    threads = [threading.Thread(target=r.run, args=(stop,), kwargs={"idle_s": 0.05}) for r in relays]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: published(pg_app, topic, 4) == 900, "both relays to publish the log")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert deduplicated(read_topic(kafka_bootstrap, topic)) == log_by_partition(pg_app, 4)
    assert sum(r.sent for r in relays) == 900


def test_a_relay_killed_mid_stream_and_restarted_loses_and_reorders_nothing(
        pg_app: Gongxiao, kafka_bootstrap: str, make_topic: Callable[..., str],
        spawn: Callable[..., Any]) -> None:
    topic = make_topic("events")
    last = volume(pg_app, 10_000, corrections=2)
    first = spawn("relay", "--topic", topic, "--chunk", "500")
    wait_for(lambda: published(pg_app, topic) >= 3_000, "the first relay to get going")
    # Kill it while the broker holds records whose position is not recorded yet.
    wait_for(lambda: in_topic(kafka_bootstrap, topic) > published(pg_app, topic) + 100,
             "records beyond the recorded position", every_s=0.002)
    readers = children(first.pid)
    assert readers, "the relay reads the log ahead in a process of its own"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    wait_for(lambda: not any(running(pid) for pid in readers), "the reader to stop with its relay",
             timeout_s=15)
    stopped_at = published(pg_app, topic)
    assert stopped_at < last, "the relay finished before it could be killed mid-stream"

    second = spawn("relay", "--topic", topic, "--chunk", "500")
    wait_for(lambda: published(pg_app, topic) == last, "the restarted relay to catch up")
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0

    records = read_topic(kafka_bootstrap, topic)
    assert deduplicated(records) == log_by_partition(pg_app)  # nothing lost, nothing reordered
    for partition in range(3):
        ids = [r.value["notification_id"] for r in records if r.partition == partition]
        rewinds = [i for i in range(1, len(ids)) if ids[i] <= ids[i - 1]]
        assert len(rewinds) <= 1, "duplicates appear only where the relay restarted"
        if rewinds:  # the restart re-sent a run the first relay had sent but not recorded
            assert ids[rewinds[0]] > stopped_at
    assert len(records) - last <= 500, "more was sent twice than the one chunk in flight"
