"""What ``/healthz`` answers when this server can take work: ``ok``, or ``degraded`` (a view
kept faults, or the broker is out of reach while writes still go to the stored log). When the
store or a view is down it answers 503 problem+json with the same ``checks`` instead."""

from __future__ import annotations

from typing import Literal

from contract.fields import Public


class StoreUp(Public):
    ok: Literal[True]
    events: int  # the last event's position in the log


class KafkaUnset(Public):
    ok: Literal[True]
    configured: Literal[False]


class KafkaUp(Public):
    ok: Literal[True]
    bootstrap: str
    topics: int


class KafkaDown(Public):
    ok: Literal[False]
    bootstrap: str
    error: str  # the error's class, never its message


class ViewBehind(Public):
    """A view fed from the log: how far behind it is, and whether it is still moving (a view
    standing still behind the log is ``stuck``, a 503)."""

    events_behind: int
    seconds_behind: float
    faults: int
    state: Literal["ok", "catching_up"]


class ViewFedFromKafka(Public):
    """A view (or a partition of the events topic) fed from Kafka that kept faults."""

    faults: int
    state: Literal["fed_from_kafka"]


class HealthChecks(Public):
    store: StoreUp
    kafka: KafkaUnset | KafkaUp | KafkaDown
    views: dict[str, ViewBehind | ViewFedFromKafka]


class HealthPublic(Public):
    status: Literal["ok", "degraded"]
    checks: HealthChecks
