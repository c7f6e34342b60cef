"""Bounded load while a fault happens: cold-store gateways posting intake scans over HTTP, a
gateway producing scans to Kafka, and a load balancer asking ``/healthz``; each remembers what
was acknowledged (or answered) so the test can hold the system to it afterwards."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
from kafka.producer.future import RecordMetadata

from infra.kafka_clients import reliable_producer
from tests.district import at


def intake_body(code: str) -> dict[str, Any]:
    return {"batch_code": code, "site_id": "yongan", "farmer_id": "zhang", "sku": "jiuhuang",
            "harvested_at": at(0).isoformat(), "net_kg": 40, "scanned_at": at(0, 2).isoformat()}


class Background:
    """A few threads doing ``once(n)`` until stopped, with a pause between rounds."""

    def __init__(self, *, threads: int, pause_s: float) -> None:
        self.pause_s, self.stopping = pause_s, threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(t,), daemon=True)
                        for t in range(threads)]

    def __enter__(self) -> Any:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
            assert not thread.is_alive(), "a load thread did not stop"

    def once(self, thread: int, n: int) -> None:
        raise NotImplementedError

    def _loop(self, thread: int) -> None:
        n = 0
        while not self.stopping.is_set():
            self.once(thread, n)
            n += 1
            self.stopping.wait(self.pause_s)


class HttpScans(Background):
    """Gateways posting intake scans, each with a new batch code and Idempotency-Key; a 201
    is an acknowledged write the system must keep. Keep-alive connections, as gateways hold."""

    def __init__(self, url: str, token: str, *, prefix: str, threads: int = 3,
                 pause_s: float = 0.02) -> None:
        super().__init__(threads=threads, pause_s=pause_s)
        self.prefix = prefix
        self.acknowledged: list[str] = []
        self.answers: Counter[str] = Counter()
        self.clients = [httpx.Client(base_url=url, timeout=30,
                                     headers={"Authorization": f"Bearer {token}"})
                        for _ in self.threads]

    def once(self, thread: int, n: int) -> None:
        code = f"{self.prefix}{thread}-{n}"
        try:
            answer = self.clients[thread].post("/v1/batches", json=intake_body(code),
                                               headers={"Idempotency-Key": f"key-{code}"})
        except httpx.HTTPError as error:
            self.answers[type(error).__name__] += 1
            return
        self.answers[str(answer.status_code)] += 1
        if answer.status_code == 201:
            self.acknowledged.append(code)

    def stop(self) -> None:
        super().stop()
        for client in self.clients:
            client.close()

    def progressed(self, since: int, *, timeout_s: float) -> bool:
        """Whether more writes than ``since`` were acknowledged within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while len(self.acknowledged) <= since and time.monotonic() < deadline:
            time.sleep(0.1)
        return len(self.acknowledged) > since


DEPTH = 5_000


def _nested(scan_id: str, depth: int) -> bytes:
    """A scan whose body is ``{"a": {"a": … {}}}``, ``depth`` deep, written as bytes (the
    producer's json.dumps would recurse too)."""
    return (b'{"scan_id": "%s", "kind": "intake", "body": ' % scan_id.encode()
            + b'{"a": ' * depth + b"{}" + b"}" * depth + b"}")


@dataclass(frozen=True)
class Produced:
    scan_id: str
    code: str | None  # the batch it records, None for a scan meant to be rejected
    partition: int
    offset: int


class KafkaScans(Background):
    """A gateway producing scans to ``gongxiao.scans`` keyed by its cold store, as the worker's
    docstring asks; three in ten are ones the worker must reject (malformed JSON, JSON nested
    ``DEPTH`` deep, a farmer the district does not know). A scan counts once the broker
    acknowledged it."""

    def __init__(self, bootstrap: str, topic: str, *, prefix: str, pause_s: float = 0.05) -> None:
        super().__init__(threads=1, pause_s=pause_s)
        self.topic, self.prefix = topic, prefix
        self.producer = reliable_producer(bootstrap, client_id="faults-gateway")
        self.produced: list[Produced] = []
        self.failed = 0

    def once(self, thread: int, n: int) -> None:
        scan_id, code = f"scan-{self.prefix}{n}", f"{self.prefix}{n}"
        body = intake_body(code)
        value: Any = {"scan_id": scan_id, "kind": "intake", "body": body}
        if n % 10 == 5:
            code, value = None, b'{"scan_id": "' + scan_id.encode() + b'", "kind": '
        elif n % 10 == 7:  # deeper than any JSON parser in Python recurses
            code, value = None, _nested(scan_id, DEPTH)
        elif n % 10 == 9:
            code, value["body"] = None, {**body, "farmer_id": "nobody"}
        try:
            future = self.producer.send(self.topic, key="yongan", value=value)
        except Exception:  # the buffer is full or the broker unknown: the gateway's send fails
            self.failed += 1
            return
        future.add_callback(self._acknowledged, scan_id, code)
        future.add_errback(self._failed)

    def stop(self) -> None:
        super().stop()
        self.producer.flush(timeout=120)
        self.producer.close(timeout=10)

    def _acknowledged(self, scan_id: str, code: str | None, meta: RecordMetadata) -> None:
        self.produced.append(Produced(scan_id, code, meta.partition, meta.offset))

    def _failed(self, _: BaseException) -> None:
        self.failed += 1


@dataclass(frozen=True)
class Sample:
    at: float  # monotonic time the request was sent
    seconds: float
    status: int | None  # None: no answer (refused, reset or timed out)
    health: str | None  # the body's "status" of a 200


class HealthWatch(Background):
    """A load balancer asking ``/healthz`` twice a second, each answer kept with its time."""

    def __init__(self, url: str) -> None:
        super().__init__(threads=1, pause_s=0.5)
        self.client = httpx.Client(base_url=url, timeout=30)
        self.samples: list[Sample] = []

    def once(self, thread: int, n: int) -> None:
        started = time.monotonic()
        try:
            answer = self.client.get("/healthz")
        except httpx.HTTPError:
            self.samples.append(Sample(started, time.monotonic() - started, None, None))
            return
        health = answer.json().get("status") if answer.status_code == 200 else None
        self.samples.append(Sample(started, time.monotonic() - started, answer.status_code, health))

    def stop(self) -> None:
        super().stop()
        self.client.close()

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if s.at >= start and s.at + s.seconds <= end]
