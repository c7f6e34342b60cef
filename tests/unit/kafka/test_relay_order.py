"""The relay's order protocol without a broker: a producer that loses a record but writes the
ones after it leaves a hole; the relay sends the chunk again, and a consumer that takes only
what follows its chain gets every event once, in log order."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from domain.farmer import Farmer
from infra.application import StoredGongxiao
from infra.kafka_clients import Undelivered, json_bytes
from infra.kafka_events import follows, partition_for, previous_of
from workers.relay import Relay


class Sent:
    def __init__(self, exception: Exception | None) -> None:
        self.is_done, self.exception = True, exception


class Producer:
    """Writes to a shared in-memory topic; loses the records it is told to, keeps the rest."""

    def __init__(self, topic: dict[int, list[tuple[int, int | None]]], lose: set[int]) -> None:
        self.topic, self.lose = topic, lose

    def partitions_for(self, topic: str) -> set[int]:
        return {0, 1, 2}

    def send(self, topic: str, *, key: str, value: bytes, partition: int,
             headers: list[tuple[str, bytes]]) -> Sent:
        nid = json.loads(value)["notification_id"]
        if nid in self.lose:
            return Sent(TimeoutError(f"record {nid} expired"))
        self.topic[partition].append((nid, previous_of(headers)))
        return Sent(None)

    def flush(self, timeout: float) -> None:
        pass

    def close(self, timeout: float) -> None:
        pass


def consumed(records: list[tuple[int, int | None]], *, by_chain: bool) -> list[int]:
    kept: list[int] = []
    for nid, previous in records:
        if follows(kept[-1] if kept else 0, nid, previous if by_chain else None):
            kept.append(nid)
    return kept


def test_a_record_lost_ahead_of_ones_written_is_sent_again_and_taken_in_order() -> None:
    app = StoredGongxiao()
    app.save(*[Farmer(farmer_id=f"f{i}", name="张德明", village="永安村", phone=None) for i in range(60)])
    topic: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    producers = iter([Producer(topic, lose={7, 8}), Producer(topic, lose=set())])
    relay = Relay(recorder=app.recorder, connect=lambda: next(producers),
                  encode=lambda n: json_bytes({"notification_id": n.id}), topic="t", chunk=25)
    with pytest.raises(Undelivered):
        relay.publish_next()
    relay.disconnect()
    while relay.publish_next():
        pass

    log: dict[int, list[int]] = defaultdict(list)
    for n in app.recorder.select_notifications(start=1, limit=100):
        log[partition_for(str(n.originator_id), 3)].append(n.id)
    holed = next(p for p, ids in log.items() if 7 in ids or 8 in ids)
    assert {p: consumed(records, by_chain=True) for p, records in topic.items()} == log
    assert consumed(topic[holed], by_chain=False) != log[holed], "by id alone, the hole loses events"


def test_relay_positions_start_at_nothing_published() -> None:
    relay = Relay(recorder=StoredGongxiao().recorder, connect=lambda: Producer({}, set()),
                  encode=lambda n: b"{}", topic="t")
    assert relay.publish_next() == 0
    assert relay.sent == 0
