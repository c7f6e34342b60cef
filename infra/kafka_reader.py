"""The event log read and encoded ahead of the relay, in a process of its own.

Reading a chunk of the log and encoding each event as its message cost the relay about as
much of its one interpreter lock as kafka-python's sending does, so it published 0.64 of
what the producer alone can. A reader process reads and encodes the next chunk while the
relay sends the one in hand, on another core; the relay only sends. The reader answers
``Message`` tuples (notification id, key, value), the same the relay makes in process on the
embedded store; a reader that dies or cannot reach the database surfaces as a
``PersistenceError``, which pauses the relay like any outage, and the next read starts a new
reader. The reader stops with the relay, however the relay ends (``infra.orphans``).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from eventsourcing.persistence import PersistenceError

from infra.composition import build_application
from infra.kafka_events import event_value
from infra.orphans import stop_with
from infra.settings import Settings

Message = tuple[int, str, bytes]  # notification id, key (the aggregate id), value


class LogReader:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool: ProcessPoolExecutor | None = None

    def read(self, start: int, limit: int) -> Future[list[Message]]:
        """The messages of up to ``limit`` events after notification id ``start``, to come."""
        if self.pool is None:
            self.pool = self._start()
        try:
            future = self.pool.submit(_read, start, limit)
        except BrokenProcessPool:  # the reader died since the last read: start another
            self.close()
            self.pool = self._start()
            future = self.pool.submit(_read, start, limit)
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


_app: Any = None


def _open(settings: Settings, relay: int) -> None:
    global _app
    stop_with(relay)
    _app = build_application(settings)


def _read(start: int, limit: int) -> list[Message]:
    return [(n.id, str(n.originator_id), event_value(_app, n))
            for n in _app.recorder.select_notifications(start=start, limit=limit,
                                                        inclusive_of_start=False)]


def _lost_as_outage(future: Future[list[Message]]) -> Future[list[Message]]:
    """``future``, but a reader process that ended answers ``ReaderLost``."""
    answer: Future[list[Message]] = Future()

    def settle(done: Future[list[Message]]) -> None:
        error = ReaderLost("the read was cancelled") if done.cancelled() else done.exception()
        if isinstance(error, BrokenProcessPool):
            answer.set_exception(ReaderLost(f"the log reader process ended: {error}"))
        elif error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(done.result())

    future.add_done_callback(settle)
    return answer
