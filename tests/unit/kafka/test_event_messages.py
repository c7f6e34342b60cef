"""The messages of gongxiao.events: exactly the API's JSON, on the partition Kafka would pick."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kafka.partitioner.default import DefaultPartitioner

from infra.application import StoredGongxiao
from infra.event_json import dumps, encode_notification
from infra.kafka_events import (
    PREVIOUS,
    NotAnEvent,
    Partitions,
    event_message,
    event_value,
    exact_json,
    partition_for,
)
from tests.district import graded, packs, seed

numbers = st.one_of(
    st.integers(min_value=-10**20, max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**7, max_value=10**7),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("0.500"), Decimal("1E+3"), Decimal("-0"), Decimal("1E-7"),
                     Decimal("123456789012345678.5"), Decimal(10**19)]))
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.text(), numbers),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@given(values)
def test_the_fast_json_is_byte_for_byte_the_exact_json_of_the_api(value: Any) -> None:
    assert exact_json(value) == dumps(value).encode()


def test_an_event_value_is_what_the_event_log_endpoint_answers() -> None:
    app = seed(StoredGongxiao())
    graded(app, "B1", a="60.125", b="30.5")
    packs(app, 3, pack_kg="0.75")
    for n in app.recorder.select_notifications(start=1, limit=1000):
        assert event_value(app, n) == dumps(encode_notification(app, n)).encode()


class _Cluster:
    def __init__(self, count: int) -> None:
        self.count = count

    def topics(self) -> set[str]:
        return {"t"}

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(self.count))

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(self.count))


@given(st.uuids(), st.integers(min_value=1, max_value=64))
def test_an_aggregate_goes_to_the_partition_kafkas_default_partitioner_picks(key: Any, count: int) -> None:
    expected = DefaultPartitioner().partition("t", str(key), str(key).encode(), None, None,
                                              _Cluster(count))
    assert partition_for(str(key), count) == expected == Partitions(count).of(str(key))


@pytest.mark.parametrize(("value", "headers", "reason"), [
    (b"", None, "JSONDecodeError"),
    (b"\xff\x00\xfe", None, "UnicodeDecodeError"),
    (b"[" * 100_000 + b"]" * 100_000, None, "RecursionError"),
    (b'"text"', None, "TypeError"),
    (b'{"event_type": "Order.Placed"}', None, "KeyError: 'notification_id'"),
    (b'{"notification_id": true, "event_type": "Order.Placed"}', None, "notification_id True"),
    (b'{"notification_id": 0, "event_type": "Order.Placed"}', None, "notification_id 0"),
    (b'{"notification_id": 1e400, "event_type": "Order.Placed"}', None, "notification_id inf"),
    (b'{"notification_id": 7, "event_type": "Order"}', None, "event_type 'Order'"),
    (b'{"notification_id": 7, "event_type": ["Order.Placed"]}', None, "event_type ['Order.Placed']"),
    (b'{"notification_id": 7, "event_type": "Order.Placed"}', [(PREVIOUS, b"six")], "ValueError"),
])
def test_a_message_that_is_not_an_event_is_refused_saying_why(
        value: bytes, headers: list[tuple[str, bytes]] | None, reason: str) -> None:
    with pytest.raises(NotAnEvent, match=re.escape(reason)):
        event_message(value, headers)


def test_an_event_message_gives_its_id_stored_topic_and_previous_id() -> None:
    StoredGongxiao()  # registers the event classes' topics
    value = b'{"notification_id": 7, "event_type": "Order.Placed", "data": {}}'
    assert event_message(value, [(PREVIOUS, b"3")]) == (7, "gongxiao:Order.Placed", 3)
