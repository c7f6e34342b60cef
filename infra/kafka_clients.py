"""Kafka plumbing the workers share: topic names, the producer and consumers they use, JSON values.

Every client is kafka-python 3: configuration keys it does not know raise, serializers are
``Serializer`` objects called with ``(topic, headers, data)``, and a broker that cannot be
reached surfaces as some ``KafkaError`` (there is no ``NoBrokersAvailable`` any more).
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaConfigurationError, KafkaError
from kafka.producer.future import FutureRecordMetadata
from kafka.serializer import Deserializer, Serializer

from infra.settings import Settings

log = logging.getLogger(__name__)


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON: Chinese names stay readable and a value stays small."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class Utf8(Serializer, Deserializer):
    """Keys are text (an aggregate id, a scan id); bytes pass through untouched."""

    def serialize(self, topic: str, headers: Any, data: Any) -> bytes | None:
        return data if data is None or isinstance(data, bytes) else str(data).encode()

    def deserialize(self, topic: str, headers: Any, data: bytes | None) -> str | None:
        return None if data is None else data.decode("utf-8", errors="replace")


class JsonValue(Serializer):
    """Values are JSON; producers hand over dicts or bytes that are JSON already."""

    def serialize(self, topic: str, headers: Any, data: Any) -> bytes | None:
        return data if data is None or isinstance(data, bytes) else json_bytes(data)


def reliable_producer(bootstrap: str, *, client_id: str, linger_ms: int = 5,
                      delivery_timeout_ms: int = 60_000) -> KafkaProducer:
    """A producer whose writes are durable and, per partition, in send order and gap-free.

    Idempotence with at most five requests in flight keeps a partition's records in order
    across retries; ``acks=all`` waits for every in-sync replica. A record the broker never
    took fails its future within ``delivery_timeout_ms``, so a flush always ends.
    """
    return KafkaProducer(bootstrap_servers=bootstrap, client_id=client_id,
                         enable_idempotence=True, acks="all",
                         max_in_flight_requests_per_connection=5,
                         key_serializer=Utf8(), value_serializer=JsonValue(),
                         linger_ms=linger_ms, batch_size=256 * 1024,
                         max_block_ms=10_000,
                         request_timeout_ms=min(10_000, delivery_timeout_ms // 3),
                         delivery_timeout_ms=delivery_timeout_ms,
                         reconnect_backoff_max_ms=2_000, bootstrap_timeout_ms=10_000)


def group_consumer(bootstrap: str, *, group_id: str, client_id: str,
                   max_poll_records: int = 500) -> KafkaConsumer:
    """A consumer in a group that commits only when told: offsets follow what was stored."""
    return KafkaConsumer(bootstrap_servers=bootstrap, client_id=client_id, group_id=group_id,
                         enable_auto_commit=False, auto_offset_reset="earliest",
                         key_deserializer=Utf8(), max_poll_records=max_poll_records,
                         session_timeout_ms=10_000, heartbeat_interval_ms=1_000,
                         max_poll_interval_ms=300_000, request_timeout_ms=15_000,
                         reconnect_backoff_max_ms=2_000, bootstrap_timeout_ms=10_000)


def check_delivered(futures: Iterable[FutureRecordMetadata]) -> None:
    """Raise the first failure among records that a flush has completed."""
    for future in futures:
        if not future.is_done:
            raise Undelivered("a record was neither acknowledged nor failed after the flush")
        if future.exception is not None:
            raise Undelivered(f"the broker did not take a record: {future.exception}")


class Backoff:
    """Waits that double after each failure up to ``most_s``, cut short when told to stop."""

    def __init__(self, stop: threading.Event, *, first_s: float = 0.5, most_s: float = 10.0) -> None:
        self.stop, self.first_s, self.most_s = stop, first_s, most_s
        self.wait_s = first_s

    def failed(self) -> None:
        self.stop.wait(self.wait_s)
        self.wait_s = min(self.wait_s * 2, self.most_s)

    def succeeded(self) -> None:
        self.wait_s = self.first_s


def run_steps(stop: threading.Event, step: Callable[[], Any], *,
              errors: tuple[type[BaseException], ...],
              paused: Callable[[BaseException], None]) -> None:
    """The loop of a Kafka worker: ``step`` until ``stop`` is set. A wrong setting
    (``KafkaConfigurationError``) ends it, since waiting does not mend it; any of ``errors``
    (a broker or database outage) goes to ``paused`` (to say so and drop the clients) and is
    waited out, the waits doubling while the failures go on."""
    backoff = Backoff(stop)
    while not stop.is_set():
        try:
            step()
        except KafkaConfigurationError:
            raise
        except errors as error:
            paused(error)
            backoff.failed()
            continue
        backoff.succeeded()


def broker_of(settings: Settings, worker: str) -> str:
    """The bootstrap a Kafka worker needs, or a clear exit; the worker's logging set up."""
    if not settings.kafka_bootstrap:
        raise SystemExit(f"{worker} needs GONGXIAO_KAFKA_BOOTSTRAP (host:port of the broker)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    return settings.kafka_bootstrap


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so a worker finishes its step and closes cleanly."""
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    return stop


class Undelivered(KafkaError):
    """Records sent but not acknowledged: the caller must send them again from its position."""
