"""The event log read and encoded ahead of the relay, in a process of its own.

Reading a chunk of the log and encoding each event as its message cost the relay about as
much of its one interpreter lock as kafka-python's sending does, so it published 0.64 of
what the producer alone can. A reader process reads and encodes the next chunk while the
relay sends the one in hand, on another core; the relay only sends. The reader answers the
same ``Chunk`` the relay reads in its own process on the embedded store (``read_chunk``): the
messages of the partitions the relay serves, only those encoded. A reader that dies or
cannot reach the database surfaces as a ``PersistenceError``, which pauses the relay like any
outage, and the next read starts a new reader. The reader stops with the relay, however
the relay ends (``infra.orphans``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NamedTuple

from eventsourcing.persistence import ApplicationRecorder, Notification, PersistenceError

from infra.composition import build_application
from infra.kafka_events import Partitions, event_value
from infra.orphans import stop_with
from infra.settings import Settings

Message = tuple[int, str, int, bytes]  # notification id, key (the aggregate id), partition, value


class Chunk(NamedTuple):
    last: int  # the last notification id read
    read: int  # how many notifications were read (0: the end of the log)
    messages: list[Message]  # those of the partitions served, in log order


def read_chunk(recorder: ApplicationRecorder, encode: Callable[[Notification], bytes], *,
               start: int, limit: int, partitions: Partitions, serves: frozenset[int]) -> Chunk:
    """Up to ``limit`` events after notification id ``start``; those whose key falls in
    ``serves`` as messages."""
    notifications = recorder.select_notifications(start=start, limit=limit,
                                                  inclusive_of_start=False)
    if not notifications:
        return Chunk(start, 0, [])
    keys = [(n, str(n.originator_id)) for n in notifications]
    return Chunk(notifications[-1].id, len(notifications),
                 [(n.id, key, partition, encode(n)) for n, key in keys
                  if (partition := partitions.of(key)) in serves])


class LogReader:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool: ProcessPoolExecutor | None = None

    def read(self, start: int, limit: int, *, partitions: int,
             serves: frozenset[int]) -> Future[Chunk]:
        """``read_chunk`` of a topic of ``partitions`` partitions, to come."""
        if self.pool is None:
            self.pool = self._start()
        try:
            future = self.pool.submit(_read, start, limit, partitions, serves)
        except BrokenProcessPool:  # the reader died since the last read: start another
            self.close()
            self.pool = self._start()
            future = self.pool.submit(_read, start, limit, partitions, serves)
        return _lost_as_outage(future)

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_open, initargs=(self.settings, os.getpid()))

    def close(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


class ReaderLost(PersistenceError):
    """The reader process ended: read again (a new reader starts)."""


_app: Any = None  # the reader process's own
_partitions = Partitions(1)


def _open(settings: Settings, relay: int) -> None:
    global _app
    stop_with(relay)
    _app = build_application(settings)


def _read(start: int, limit: int, partitions: int, serves: frozenset[int]) -> Chunk:
    global _partitions
    if _partitions.count != partitions:
        _partitions = Partitions(partitions)
    return read_chunk(_app.recorder, lambda n: event_value(_app, n), start=start, limit=limit,
                      partitions=_partitions, serves=serves)


def _lost_as_outage(future: Future[Chunk]) -> Future[Chunk]:
    """``future``, but a reader process that ended answers ``ReaderLost``."""
    answer: Future[Chunk] = Future()

    def settle(done: Future[Chunk]) -> None:
        error = ReaderLost("the read was cancelled") if done.cancelled() else done.exception()
        if isinstance(error, BrokenProcessPool):
            answer.set_exception(ReaderLost(f"the log reader process ended: {error}"))
        elif error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(done.result())

    future.add_done_callback(settle)
    return answer
