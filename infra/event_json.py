"""JSON in and out without float loss, and the JSON shape of a stored event.

Weights are Decimal kg and must cross the wire exactly: numbers are read as ``Decimal`` and
written back as JSON numbers from their digits, never through ``float``. The event shape is
the one API.md gives for ``GET /v1/events`` and the ``gongxiao.events`` topic, so the API and
the Kafka relay publish the same thing.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

# Attributes every eventsourcing event carries; the envelope names them, ``data`` does not.
ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")


def loads(text: str | bytes) -> Any:
    """Parse JSON; numbers with a fraction or exponent become exact ``Decimal``.

    NaN and Infinity are not JSON and are refused like any other malformed text.
    """
    return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)


def dumps(value: Any) -> str:
    """JSON text of a value of the domain: Decimals as exact numbers, times in RFC 3339.

    The standard encoder writes the text (it is many times faster than one written in
    Python); each Decimal goes through it as a placeholder string that only this call can
    name, and its exact digits replace the placeholder afterwards."""
    nonce = secrets.token_hex(8)
    numbers: list[str] = []

    def placeholder(number: Decimal) -> str:
        numbers.append(_number(number))
        return f"{nonce}{len(numbers) - 1}"

    text = json.dumps(jsonable(value, decimal=placeholder), ensure_ascii=False,
                      separators=(",", ":"))
    if not numbers:
        return text
    return _PLACEHOLDER.sub(
        lambda m: numbers[int(m[2])] if m[1] == nonce else m[0], text)


# One compiled pattern for every nonce: a pattern made per call missed re's cache each time.
_PLACEHOLDER = re.compile(r'"([0-9a-f]{16})(\d+)"')


def jsonable(value: Any, *, decimal: Callable[[Decimal], Any] | None = None) -> Any:
    """The same value made of dicts, lists, str, int, bool, None and Decimal only (or what
    ``decimal`` makes of each Decimal)."""
    if isinstance(value, str | int | None):  # most values: answered at once
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, decimal=decimal) for k, v in value.items()}
    if isinstance(value, set | frozenset):  # in the order of their JSON text
        return [item for _, item in sorted(((dumps(v), jsonable(v, decimal=decimal))
                                            for v in value), key=lambda pair: pair[0])]
    if isinstance(value, list | tuple):
        return [jsonable(v, decimal=decimal) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return jsonable(value.value, decimal=decimal)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal) and decimal is not None:
        return decimal(value)
    return value


def event_type(topic: str) -> str:
    """``gongxiao:Batch.Received`` → ``Batch.Received``."""
    return topic.split(":", 1)[-1]


def encode_notification(app: Application[Any], notification: Notification) -> dict[str, Any]:
    """A stored event as API.md publishes it: envelope, and ``data`` as the event recorded it."""
    event = app.mapper.to_domain_event(notification)
    kind = event_type(notification.topic)
    return {"notification_id": notification.id, "event_type": kind,
            "aggregate_type": kind.split(".", 1)[0],
            "aggregate_id": str(notification.originator_id),
            "version": notification.originator_version,
            "occurred_at": jsonable(getattr(event, "timestamp", None)),
            "data": jsonable({k: v for k, v in vars(event).items() if k not in ENVELOPE})}


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} is not a JSON number")
    if value == value.to_integral_value() and abs(value) < 10**18:
        return str(int(value))
    text = format(value.normalize(), "f")
    return text if len(text) <= 40 else str(value)


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)
