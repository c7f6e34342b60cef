"""Messages of ``gongxiao.events``: which partition an event goes to, and its JSON value.

The value is ``infra.event_json.encode_notification`` as API.md gives it, the same bytes that
``infra.event_json.dumps`` writes, only faster: C ``json`` writes every number that a float
spells exactly (kg with at most 3 decimals always is), and anything else takes the exact path.
The partition is the one Kafka's default partitioner gives the key (murmur2 of the aggregate
id), chosen here so a relay can tell which of its partitions an event belongs to.

Each message also carries, in its ``gongxiao-previous`` header, the notification id of the
event published to the same partition before it (0 for the first). That chain lets a consumer
tell a repeat from a message that came too early (``follows``): after a failed send the
producer may have written a later record of a chunk whose earlier one it lost; the relay then
sends the chunk again, and a consumer that skips what does not follow gets every event
exactly once and in log order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from kafka.partitioner.default import murmur2

from domain.topics import PREFIX, is_event_topic
from infra.event_json import dumps, encode_notification

_WRITE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                          default=lambda value: _exact_number(value)).encode


def event_value(app: Application[Any], notification: Notification) -> bytes:
    """The JSON value of the message that publishes ``notification``."""
    return exact_json(encode_notification(app, notification))


def exact_json(value: Any) -> bytes:
    """``infra.event_json.dumps(value)`` as UTF-8, the same bytes in a fraction of the time."""
    try:
        return _WRITE(value).encode()
    except _NotExact:
        return dumps(value).encode()


PREVIOUS = "gongxiao-previous"


def previous_header(notification_id: int) -> list[tuple[str, bytes]]:
    return [(PREVIOUS, str(notification_id).encode())]


def previous_of(headers: Sequence[tuple[str, bytes]] | None) -> int | None:
    """The previous event's notification id a message names, None if it names none."""
    for name, value in headers or ():
        if name == PREVIOUS:
            return int(value)
    return None


def follows(last: int, notification_id: int, previous: int | None) -> bool:
    """Whether a message is the next one for a consumer that has taken the partition up to
    notification id ``last``: not a repeat, and nothing of its partition missing before it.
    (A message without the header is judged by its id alone.)"""
    return notification_id > last and (previous is None or previous <= last)


class EventMessage(NamedTuple):
    notification_id: int
    topic: str  # the stored event's
    previous: int | None


def event_message(value: bytes | None, headers: Sequence[tuple[str, bytes]] | None) -> EventMessage:
    """What a message of the events topic says a consumer needs; ``NotAnEvent`` saying why
    when it is not an event (not JSON, another shape, an event type we do not have)."""
    try:
        message = json.loads(value or b"")
        nid, kind = message["notification_id"], message["event_type"]
        previous = previous_of(headers)
    except Exception as error:  # anything a message can hold: deep nesting is a RecursionError
        raise NotAnEvent(f"{type(error).__name__}: {error}"[:200]) from None
    if type(nid) is not int or nid < 1:
        raise NotAnEvent(f"notification_id {nid!r:.40} is not a positive integer")
    if not isinstance(kind, str) or not is_event_topic(PREFIX + kind):
        raise NotAnEvent(f"event_type {kind!r:.80} is not one of ours")
    return EventMessage(nid, PREFIX + kind, previous)


def partition_for(key: str, partitions: int) -> int:
    """The partition of a key, as Kafka's default partitioner (and the Java client) picks it."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


class Partitions:
    """Partitions of aggregate ids for a topic of ``count`` partitions, remembered: an
    aggregate's events come again and again, and murmur2 in Python is not free."""

    def __init__(self, count: int, *, remember: int = 200_000) -> None:
        self.count, self.remember = count, remember
        self.known: dict[str, int] = {}

    def of(self, key: str) -> int:
        partition = self.known.get(key)
        if partition is None:
            if len(self.known) >= self.remember:
                self.known.clear()
            partition = self.known[key] = partition_for(key, self.count)
        return partition


def _exact_number(value: Any) -> Any:
    """A Decimal as the int or float that JSON spells with exactly its digits, as
    ``event_json`` would; otherwise the slow exact path is taken."""
    if isinstance(value, Decimal) and value.is_finite():
        if value == value.to_integral_value() and abs(value) < 10**18:
            return int(value)
        number = float(value)
        if repr(number) == format(value.normalize(), "f"):
            return number
    raise _NotExact


class NotAnEvent(ValueError):
    pass


class _NotExact(TypeError):
    pass
