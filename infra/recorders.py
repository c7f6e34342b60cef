"""The event store's recorders: they write a command's kept reply in its transaction, and
read the newer events of several aggregates in one query.

A command sent with an Idempotency-Key is answered once: its reply is kept, and a repeat of
the key answers it. Kept in the same transaction as the command's events (``replies=`` rows,
passed down by the group commit), the reply and the events are written together or not at
all, and the key itself guards against doing a command twice: a second transaction under a
caller's kept key fails whole, with ``KeyTaken``, whatever its events. No round trip before
or after (but see ``infra.idempotency`` on replies kept before keys were the caller's).
An intake scan reads its batch, site, farmer and product: ``select_events_of`` brings all
four up to date in one round trip instead of four (``UseCaseRepository.get_many``), and on
PostgreSQL ``select_latest_of`` starts those not held yet at their latest snapshot.
Chosen by ``Settings.event_store_env``: ``PERSISTENCE_MODULE`` names ``PostgresStore`` on
PostgreSQL, ``APPLICATION_RECORDER_TOPIC`` the SQLite recorder on the embedded store.

On PostgreSQL a read or write is tried once more only when that can help, not the library's
ten times on any connection error (``infra.store_retries``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import Environment
from psycopg import Cursor
from psycopg.errors import DuplicateObject
from psycopg.generators import send
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from infra.store_retries import bounded

REPLIES = "gongxiao_kept_replies"  # a caller's key: (caller, idempotency_key) is unique
COLUMNS = "caller, idempotency_key, fingerprint, status, body, kept_at"
ReplyRow = tuple[str, str, str, int, str, str]  # the columns, in that order
After = Sequence[tuple[UUID, int]]  # (aggregate id, the version the caller already has)
ONLY_WHEN_ASKED = sys.maxsize  # runs of a statement before psycopg prepares it on its own
CONNECTING_S = 5  # the pool's attempts to connect give up and start again after this
CREATING = 0x67_6F_6E_67_78_69_61_6F  # "gongxiao": the advisory lock held while creating tables


class KeyTaken(Exception):
    """A reply is already kept under this caller's Idempotency-Key: nothing of this command
    was written."""


class DatabaseFunctionsRefused(ValueError):
    """The event store is set to write through its database function (see ``PostgresStore``)."""


class _CreatedAlone:
    """Tables, types and functions created by one process at a time: processes starting at
    once (two relays, the API workers) ran the library's ``CREATE … IF NOT EXISTS`` and
    ``CREATE OR REPLACE FUNCTION`` side by side, and PostgreSQL failed one of them ("tuple
    concurrently updated", or a duplicate key in ``pg_type``).

    The library's steps, on the one connection that holds the lock: the library takes a
    connection per step, and a pool of one connection has no second while the lock is held
    (start-up waited for it until the pool gave up)."""

    datastore: PostgresDatastore
    sql_create_statements: list[Composed]
    insert_events_statement: Composed

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The rows to insert are sent as one binary array of the stored-event type, not as
        # text: psycopg escapes a text array with a regular expression over every byte of the
        # states, a third of a snapshot's cost (a 690 KB state: 64 ms to insert as text,
        # 10 ms as binary).
        self.insert_events_statement = SQL(  # type: ignore[assignment]
            self.insert_events_statement.as_string(None).replace("(%s::", "(%b::"))

    def create_table(self) -> None:
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (CREATING,))
            try:
                for statement in self.sql_create_statements:
                    if "CREATE TYPE" in statement.as_string():  # no IF NOT EXISTS for types
                        with suppress(DuplicateObject), conn.transaction():
                            conn.execute(statement, prepare=False)
                with conn.transaction(), conn.cursor() as curs:
                    self._create_table(curs)  # type: ignore[attr-defined]
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (CREATING,))
        self.datastore.register_type_adapters()


class PostgresSnapshots(_CreatedAlone, PostgresAggregateRecorder):
    insert_events = bounded(PostgresAggregateRecorder.insert_events.__wrapped__)
    select_events = bounded(PostgresAggregateRecorder.select_events.__wrapped__)


class PostgresRecorder(_CreatedAlone, PostgresApplicationRecorder):
    keeps_replies = True
    select_events = bounded(PostgresAggregateRecorder.select_events.__wrapped__)
    select_notifications = bounded(PostgresApplicationRecorder.select_notifications.__wrapped__)
    max_notification_id = bounded(PostgresApplicationRecorder.max_notification_id.__wrapped__)
    _insert_once = bounded(PostgresApplicationRecorder.insert_events.__wrapped__)

    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        return _guarded(lambda: self._insert_once(stored_events, **kwargs))

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                       *, replies: Sequence[ReplyRow] = (), **kwargs: Any) -> None:
        if replies:
            curs.executemany(f'INSERT INTO "{self.datastore.schema}".{REPLIES} ({COLUMNS}) '
                             "VALUES (%s, %s, %s, %s, %s, %s)", replies)
        super()._insert_events(curs, stored_events, **kwargs)

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        """The library's lock, NOTIFY and INSERT, queued in its pipeline, then every byte of
        them sent before the library syncs the pipeline.

        psycopg's pipeline stops sending once its queue of commands is empty, even when the
        socket took only part of the last one (``PQflush`` answered 1), and then waits for the
        server's answer, which the server, still reading the statement, never sends: a write
        larger than the socket buffers (a 10,000-event EPCIS document, ~20 MB, in one INSERT's
        array) hung for good, the server in ``ClientRead``. Flushed here, only the five bytes
        of the library's Sync are left to send, and the socket has room for those once it
        can be written to."""
        super()._insert_stored_events(curs, stored_events, **kwargs)
        curs.connection.wait(send(curs.connection.pgconn))

    @bounded
    def select_events_of(self, after: After) -> list[StoredEvent]:
        """The events of each aggregate after its version, by aggregate then version.
        (Its keys go as text arrays, as ``select_latest_of``'s do: sent in binary, the use
        cases' last tenth in bench/append.py ran at 0.51-0.55 of the first, as text 0.72-0.91.)"""
        query = SQL("SELECT e.originator_id, e.originator_version, e.topic, e.state "
                    "FROM {schema}.{table} e JOIN unnest(%s::uuid[], %s::bigint[]) AS a(id, v) "
                    "ON e.originator_id = a.id AND e.originator_version > a.v "
                    "ORDER BY e.originator_id, e.originator_version").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, ([i for i, _ in after], [v for _, v in after]), prepare=True)
            return [StoredEvent(originator_id=row["originator_id"],
                                originator_version=row["originator_version"],
                                topic=row["topic"], state=bytes(row["state"]))
                    for row in curs.fetchall()]

    @bounded
    def select_latest_of(self, after: After, snapshots: str) -> list[tuple[bool, StoredEvent]]:
        """As ``select_events_of``, but an aggregate asked from version 0 (not held yet) starts
        at its latest snapshot in table ``snapshots``, if it has one: (True, the snapshot), then
        (False, each event after it). One round trip, whether or not there are snapshots."""
        query = SQL(
            "WITH a(id, v) AS (SELECT * FROM unnest(%s::uuid[], %s::bigint[])), "
            "s AS (SELECT DISTINCT ON (x.originator_id) x.originator_id, x.originator_version, "
            "x.topic, x.state FROM {schema}.{snapshots} x JOIN a ON x.originator_id = a.id "
            "AND a.v = 0 ORDER BY x.originator_id, x.originator_version DESC) "
            "SELECT true AS snapshot, originator_id, originator_version, topic, state FROM s "
            "UNION ALL SELECT false, e.originator_id, e.originator_version, e.topic, e.state "
            "FROM {schema}.{table} e JOIN a ON e.originator_id = a.id AND e.originator_version > "
            "GREATEST(a.v, (SELECT s.originator_version FROM s WHERE s.originator_id = a.id)) "
            "ORDER BY originator_id, snapshot DESC, originator_version").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name),
            snapshots=Identifier(snapshots))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, ([i for i, _ in after], [v for _, v in after]), prepare=True)
            return [(row["snapshot"], StoredEvent(
                originator_id=row["originator_id"], originator_version=row["originator_version"],
                topic=row["topic"], state=bytes(row["state"]))) for row in curs.fetchall()]


class SQLiteRecorder(SQLiteApplicationRecorder):
    keeps_replies = True

    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        return _guarded(lambda: super(SQLiteRecorder, self).insert_events(
            stored_events, **kwargs))

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       *, replies: Sequence[ReplyRow] = (), **kwargs: Any) -> Sequence[int] | None:
        if replies:
            c.executemany(f"INSERT INTO {REPLIES} ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", replies)
        return super()._insert_events(c, stored_events, **kwargs)

    def select_events_of(self, after: After) -> list[StoredEvent]:
        """The events of each aggregate after its version, by aggregate then version."""
        if not after:
            return []
        where = " OR ".join(["(originator_id = ? AND originator_version > ?)"] * len(after))
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT originator_id, originator_version, topic, state FROM "
                      f"{self.events_table_name} WHERE {where} "
                      "ORDER BY originator_id, originator_version",
                      [x for i, v in after for x in (i.hex, v)])
            return [StoredEvent(originator_id=self.convert_originator_id(row["originator_id"]),
                                originator_version=row["originator_version"],
                                topic=row["topic"], state=row["state"])
                    for row in c.fetchall()]


class PostgresStore(PostgresFactory):
    """The library's PostgreSQL factory with the recorders above (``PERSISTENCE_MODULE``)."""

    aggregate_recorder_class = PostgresSnapshots
    application_recorder_class = PostgresRecorder

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        # psycopg prepares a statement on its own once it has run it five times. When that
        # sixth run is queued in a write's pipeline behind a statement that fails (a taken
        # Idempotency-Key, a lock timeout), the server never prepares it, yet psycopg records
        # it as prepared (the library then commits the failed transaction rather than rolls
        # it back, which would have cleared psycopg's record): every later write on that
        # connection failed with 'prepared statement "_pg3_N" does not exist'. Statements
        # the code asks to prepare (prepare=True) are checked against their result, so those
        # are still prepared; nothing else is.
        connecting = self.datastore.pool.kwargs
        assert isinstance(connecting, dict), "the library names its connections' settings"
        connecting["prepare_threshold"] = ONLY_WHEN_ASKED
        # Named, so an operator tells them in pg_stat_activity (and a test ends just its own).
        connecting["application_name"] = f"gongxiao events {self.datastore.schema}"
        # The pool connects in a few background threads, with no time limit of its own: to a
        # host that took the connection and went silent (a partition), each waited for hours,
        # and once all were waiting the pool made no new connection after the host was back.
        connecting["connect_timeout"] = CONNECTING_S
        if self.datastore.enable_db_functions:
            self.close()
            raise DatabaseFunctionsRefused(
                f"{env.name.upper()}_{self.POSTGRES_ENABLE_DB_FUNCTIONS} or "
                f"{self.POSTGRES_ENABLE_DB_FUNCTIONS} is set in the environment: unset it. "
                "Events written through the database function do not lock the events "
                "table, so readers tailing the event log can miss events that commit late, "
                "and a command's kept reply is not written with its events, so a reused "
                "Idempotency-Key would no longer be refused.")


def _guarded(insert: Callable[[], Sequence[int] | None]) -> Sequence[int] | None:
    try:
        return insert()
    except IntegrityError as refused:
        if REPLIES in str(refused):
            raise KeyTaken(str(refused)) from refused
        raise
