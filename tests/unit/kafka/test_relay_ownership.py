"""One relay per partition on the embedded store, without a broker: a second relay over the
same SQLite file waits while the first holds the partitions' lock files, and takes over where
the first recorded its positions once it stops."""

from __future__ import annotations

import os
import socket
from collections import defaultdict
from pathlib import Path

import pytest

from domain.farmer import Farmer
from infra.application import StoredGongxiao
from infra.kafka_clients import json_bytes
from infra.kafka_ownership import FileLocks, LockLost
from infra.settings import Settings
from tests.unit.kafka.test_relay_order import Producer
from workers.relay import Relay

Topic = dict[int, list[tuple[int, int | None]]]


def embedded(tmp_path: Path) -> StoredGongxiao:
    return StoredGongxiao(env=Settings(database_url=None, kafka_bootstrap=None,
                                 var_dir=tmp_path).event_store_env())


def register(app: StoredGongxiao, first: int, count: int) -> None:
    app.save(*[Farmer(farmer_id=f"f{i}", name="张德明", village="永安村", phone=None)
               for i in range(first, first + count)])


def relay_on(app: StoredGongxiao, topic: Topic, partitions: list[int] | None = None) -> Relay:
    return Relay(recorder=app.recorder, connect=lambda: Producer(topic, lose=set()), topic="t",
                 encode=lambda n: json_bytes({"notification_id": n.id}), partitions=partitions,
                 chunk=25, claim_every_s=0)


def test_a_second_relay_on_the_embedded_store_waits_and_takes_over_when_the_first_stops(
        tmp_path: Path) -> None:
    app, topic = embedded(tmp_path), defaultdict(list)
    register(app, 0, 40)
    first, second = relay_on(app, topic), relay_on(app, topic)
    assert first.publish_next() == 25
    assert second.publish_next() == 0 and second.sent == 0
    while first.publish_next():
        pass
    first.close()
    register(app, 40, 20)
    while second.publish_next():
        pass
    second.close()

    published = sorted(nid for records in topic.values() for nid, _ in records)
    assert published == list(range(1, 61)), "each event once: nothing lost, nothing twice"
    assert (first.sent, second.sent) == (40, 20)


def test_a_relay_publishes_the_partitions_it_could_take_while_another_holds_the_rest(
        tmp_path: Path) -> None:
    app, topic = embedded(tmp_path), defaultdict(list)
    register(app, 0, 30)
    holder = relay_on(app, topic, partitions=[1])
    holder.publish_next()
    overlapping = relay_on(app, topic, partitions=[0, 1, 2])
    while overlapping.publish_next():
        pass
    assert overlapping.locks.held == {0, 2}
    assert overlapping.locks.holders([1]) == {1: f"gongxiao-relay@{socket.gethostname()}:{os.getpid()}"}
    holder.close()
    overlapping.close()


def test_a_relay_whose_lock_file_is_removed_records_nothing_more(tmp_path: Path) -> None:
    locks = FileLocks(tmp_path / "locks", topic="t")
    assert locks.claim([0, 1]) == {0, 1}
    (tmp_path / "locks" / "t.1.lock").unlink()
    with pytest.raises(LockLost, match=r"partitions \[0, 1\] are no longer"):
        locks.confirm()
    assert locks.held == set()
    again = FileLocks(tmp_path / "locks", topic="t")
    assert again.claim([0, 1]) == {0, 1}
    again.release()
