"""When the event store tries a statement once more: only when that can help.

The event store library tries each read and write ten times on any connection error, 0.2 s
apart, and each try waits up to ``POSTGRES_CONNECT_TIMEOUT`` for a pooled connection: while
PostgreSQL was out of reach a request waited 22 s for its 503. A pool with no connection to
give, or a statement the server refused, is not mended by trying again at once; a connection
that broke in use is, on a new connection — and after a restart every pooled one is dead,
so the pool is renewed first. Checking each connection as it leaves the pool
(``POSTGRES_PRE_PING``) would cost a round trip per statement instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import psycopg
from eventsourcing.persistence import OperationalError
from psycopg.errors import PipelineAborted
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout, TooManyRequests

SESSION_ENDED = ("57P01", "57P02")  # the server ended the session: terminated, or shut down
T = TypeVar("T")


def once_more_if_broken(pool: ConnectionPool[Any], call: Callable[[], T]) -> T:
    """``call``, and once more if its connection broke in use. The pool's other connections
    went down with it (a restart ends every session), so they are all replaced first: the
    retry waits for a new one, at most the pool's timeout. A pool that had no connection to
    give (the server out of reach) is not tried again: the caller answers 503 now."""
    try:
        return call()
    except OperationalError as error:  # the library's, raised from the driver's
        if not _broke(error.__cause__):
            raise
    pool.drain()
    return call()


def bounded(method: Callable[..., T]) -> Callable[..., T]:
    """A recorder method, undecorated (``__wrapped__``) from the library's ten tries, tried
    as ``once_more_if_broken`` says."""
    @wraps(method)
    def tried(self: Any, *args: Any, **kwargs: Any) -> T:
        return once_more_if_broken(self.datastore.pool, lambda: method(self, *args, **kwargs))
    return tried


def _broke(error: BaseException | None) -> bool:
    """Whether the driver's ``error`` says its connection is gone (no answer, or the server
    ended the session), not that the server refused the statement (a pipeline is aborted by
    the first one refused) or the pool had none."""
    if isinstance(error, PoolTimeout | PoolClosed | TooManyRequests | PipelineAborted):
        return False
    return isinstance(error, psycopg.OperationalError) and (
        error.sqlstate is None or error.sqlstate in SESSION_ENDED)
