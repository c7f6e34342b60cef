"""``gongxiao worker relay``: the stored event log, published to Kafka in log order.

The log is the outbox: request handlers only store events, and this one process follows the
notification ids and publishes each event keyed by its aggregate id. A chunk of the log is
sent, flushed, checked, and only then is its last id recorded as the position of each
partition the relay serves, in the event store's database. A crash or a broker outage
therefore repeats at most the chunk in flight (at least once) and never skips one (no gap).
Order per key holds because the producer is idempotent with at most five requests in flight,
and because after any failure a new producer sends the chunk again from the first record the
positions do not cover. Each message names the event published to its partition before it
(``infra.kafka_events.follows``), so a consumer drops a repeat, and a record written ahead
of one the failed producer lost, and takes every event once, in log order.

On PostgreSQL the next chunk is read and encoded while the current one is sent, by a process
of its own (``infra.kafka_reader``): in the relay's process the reading and encoding took as
much of the interpreter lock as the producer, which then sent a third less than it can.

Relays may split the partitions (``--partitions 0,1`` and ``--partitions 2``): each reads the
whole log and publishes the events whose key falls in its partitions. Each partition is
served by one relay at a time, and that is enforced: a relay publishes a partition only while
it holds the partition's lock (``infra.kafka_ownership``: a PostgreSQL advisory lock on a
connection kept for the relay's lifetime, a file lock on the embedded store), checks the lock
before each chunk and again before recording the chunk's position, and records nothing once
it is lost. Positions never move back, so even a lock lost between that check and the write
can only make the next owner send a chunk again, which consumers drop as a repeat.

A relay that finds a partition held by another **waits** for it rather than exiting: it
publishes the partitions it could take, retries the others every second and logs, whenever
that changes, which partitions are held and by whom (host, process, PostgreSQL pid). That is
what an operator wants from both ways this happens: a relay restarted while the old one still
hangs must take over the moment the old session ends (the server drops its locks then,
whether it exited, was killed or had its connection terminated) instead of failing into its
supervisor's restart loop; and a second relay started by mistake is a harmless standby whose
log says what it waits for. Exiting would turn the first case into an outage.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future

from eventsourcing.persistence import ApplicationRecorder, Notification, PersistenceError
from kafka import KafkaProducer
from kafka.errors import KafkaError

from infra.composition import Composition
from infra.kafka_clients import (
    broker_of,
    check_delivered,
    reliable_producer,
    run_steps,
    stop_on_signals,
)
from infra.kafka_events import Partitions, event_value, previous_header
from infra.kafka_ownership import LockLost, PartitionLocks, partition_locks
from infra.kafka_positions import Positions
from infra.kafka_reader import Chunk, LogReader, read_chunk
from infra.settings import Settings

log = logging.getLogger("gongxiao.relay")


class Relay:
    def __init__(self, *, recorder: ApplicationRecorder, connect: Callable[[], KafkaProducer],
                 encode: Callable[[Notification], bytes], topic: str,
                 partitions: Collection[int] | None = None, chunk: int = 5_000,
                 flush_timeout_s: float = 90.0, locks: PartitionLocks | None = None,
                 claim_every_s: float = 1.0, reader: LogReader | None = None) -> None:
        self.recorder, self.connect, self.encode, self.topic = recorder, connect, encode, topic
        self.serves, self.chunk, self.flush_timeout_s = partitions, chunk, flush_timeout_s
        self.positions = Positions(recorder, topic=topic)
        self.locks = locks or partition_locks(recorder, topic=topic)
        self.claim_every_s, self.claim_at = claim_every_s, 0.0
        self.reported: tuple[list[int], list[int]] | None = None
        self.producer: KafkaProducer | None = None
        self.reader = reader  # reads and encodes ahead in a process of its own, if given
        self.ahead: tuple[tuple[int, int, frozenset[int]], Future[Chunk]] | None = None
        self.partitions = Partitions(1)
        self.sent = 0

    def publish_next(self) -> int:
        """Publish the next chunk of the log after the recorded positions; answers how many
        notifications it went past (not all are this relay's when it serves some partitions)."""
        producer = self.producer or self._connect()
        serves = self._owned()
        if not serves:
            return 0
        done = self.positions.get(serves)
        chunk = self._chunk(min(p.position for p in done.values()), frozenset(serves))
        if not chunk.read:
            return 0
        futures, last = [], {q: p.last_event for q, p in done.items()}
        for notification_id, key, partition, value in chunk.messages:
            if notification_id > done[partition].position:
                futures.append(producer.send(self.topic, key=key, value=value, partition=partition,
                                             headers=previous_header(last[partition])))
                last[partition] = notification_id
        producer.flush(timeout=self.flush_timeout_s)
        check_delivered(futures)
        self._confirm()  # a lock lost since the chunk began may have a new owner: record nothing
        self.positions.advance(chunk.last, last)
        self.sent += len(futures)
        return chunk.read

    def _chunk(self, start: int, serves: frozenset[int]) -> Chunk:
        """The chunk after ``start``: read ahead while the last one was sent if it was this
        one, else read now; the next one is asked for at once, to be read while this one is
        sent."""
        ask = start, self.partitions.count, serves
        ahead, self.ahead = self.ahead, None
        chunk = ahead[1].result() if ahead is not None and ahead[0] == ask else None
        if chunk is None or not chunk.read:
            chunk = read_chunk(self.recorder, self.encode, start=start, limit=self.chunk,
                               partitions=self.partitions, serves=serves)
        if self.reader is not None and chunk.read:
            self.ahead = (chunk.last, *ask[1:]), self.reader.read(
                chunk.last, self.chunk, partitions=self.partitions.count, serves=serves)
        return chunk

    def run(self, stop: threading.Event, *, idle_s: float = 0.2) -> None:
        """Publish until stopped; any broker or database failure waits, reconnects, resumes."""
        def step() -> None:
            if not self.publish_next():
                stop.wait(idle_s)

        def paused(error: BaseException) -> None:
            log.warning("relay paused; it resumes from its recorded positions: %r", error)
            self.disconnect()

        try:
            run_steps(stop, step, errors=(KafkaError, PersistenceError), paused=paused)
        finally:
            self.close()

    def close(self) -> None:
        """Drop the producer and give up the partitions: another relay may take them now."""
        self.disconnect()
        self.locks.release()
        if self.reader is not None:
            self.reader.close()

    def disconnect(self) -> None:
        """Drop the producer: whatever it still held is sent again, in order, by the next."""
        producer, self.producer, self.ahead = self.producer, None, None
        if producer is not None:
            try:
                producer.close(timeout=5)
            except KafkaError as error:
                log.warning("closing the producer failed: %r", error)

    def _owned(self) -> list[int]:
        """The partitions this relay wants and holds, claiming the others now and then."""
        wanted = set(self.serves if self.serves is not None else range(self.partitions.count))
        if wanted <= self.locks.held or time.monotonic() < self.claim_at:
            self._confirm()
        else:
            try:
                self.locks.claim(wanted)
            except LockLost:
                self.reported = None
                raise
            self.claim_at = time.monotonic() + self.claim_every_s
            self._report(sorted(wanted & self.locks.held), sorted(wanted - self.locks.held))
        return sorted(wanted & self.locks.held)

    def _confirm(self) -> None:
        try:
            self.locks.confirm()
        except LockLost:
            self.reported = None
            raise

    def _report(self, owned: list[int], waiting: list[int]) -> None:
        if self.reported == (owned, waiting):
            return
        self.reported = owned, waiting
        if waiting:
            holders = self.locks.holders(waiting)
            log.warning("partitions %s of %s are held by another relay (%s); this relay waits for "
                        "them and publishes %s", waiting, self.topic,
                        "; ".join(f"{p}: {holders[p]}" for p in sorted(holders)) or "holder unknown",
                        owned or "nothing")
        else:
            log.info("this relay holds and publishes partitions %s of %s", owned, self.topic)

    def _connect(self) -> KafkaProducer:
        producer = self.connect()
        try:
            count = len(producer.partitions_for(self.topic))
        except BaseException:
            producer.close(timeout=1)
            raise
        if self.serves is not None and not set(self.serves) <= set(range(count)):
            raise ValueError(f"{self.topic} has {count} partitions; cannot serve {sorted(self.serves)}")
        if count != self.partitions.count:
            self.partitions = Partitions(count)
        self.producer = producer
        return producer


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    bootstrap = broker_of(settings, "the relay")
    wired = Composition(settings)
    app = wired.app
    try:
        relay = Relay(recorder=app.recorder, topic=args.topic or settings.topics.events,
                      connect=lambda: reliable_producer(bootstrap, client_id="gongxiao-relay",
                                                        delivery_timeout_ms=args.delivery_timeout_ms),
                      encode=lambda n: event_value(app, n), partitions=args.partitions,
                      chunk=args.chunk,
                      reader=LogReader(settings) if settings.database_url else None)
        log.info("relaying the event log to %s (partitions: %s)", relay.topic,
                 "all" if args.partitions is None else args.partitions)
        relay.run(stop_on_signals())
    finally:
        wired.close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongxiao worker relay")
    parser.add_argument("--topic", default=None, help="events topic (default gongxiao.events)")
    parser.add_argument("--partitions", default=None, help="partitions this relay serves, e.g. 0,1 "
                        "(default: all); one taken by another relay is waited for",
                        type=lambda text: sorted({int(p) for p in text.split(",")}))
    parser.add_argument("--chunk", type=int, default=5_000, help="events per flush and position")
    parser.add_argument("--delivery-timeout-ms", type=int, default=60_000,
                        help="how long the producer retries a record before the chunk is sent anew")
    return parser
