"""Small tables of the API's own (tokens, idempotent replies) beside the event store.

They live in the event store's own database, file or schema, through its connection pool,
so a token or a kept reply is as durable as the events and a test's fresh store starts
empty. An in-memory event store (tests) gets an in-memory SQLite database instead.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, PersistenceError
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from infra.store_retries import once_more_if_broken

T = TypeVar("T")


class SideTables:
    def __init__(self, recorder: ApplicationRecorder) -> None:
        datastore = getattr(recorder, "datastore", None)
        self._postgres = datastore if isinstance(datastore, PostgresDatastore) else None
        self._sqlite = datastore if isinstance(datastore, SQLiteDatastore) else None
        self._memory: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        if self._postgres is None and self._sqlite is None:
            self._memory = sqlite3.connect(":memory:", check_same_thread=False,
                                           isolation_level=None)
            self._memory.row_factory = sqlite3.Row

    def name(self, table: str) -> str:
        """The table's name, qualified by the event store's schema on PostgreSQL."""
        if self._postgres is not None:
            return f'"{self._postgres.schema}".{table}'
        return table

    @property
    def bytewise(self) -> str:
        """The collation that orders text byte by byte (PostgreSQL's default follows the
        database's locale, which may ignore punctuation)."""
        return 'COLLATE "C"' if self._postgres is not None else "COLLATE BINARY"

    def has_rows(self, table: str) -> bool:
        """Whether ``table`` (unqualified) is there and holds a row."""
        if self._postgres is not None:
            found = self.run("SELECT to_regclass(%s) IS NOT NULL AS found", (self.name(table),))
        else:
            found = self.run("SELECT 1 AS found FROM sqlite_master "
                             "WHERE type = 'table' AND name = %s", (table,))
        return bool(found and found[0]["found"]
                    and self.run(f"SELECT 1 AS one FROM {self.name(table)} LIMIT 1"))

    def create(self, statement: str) -> None:
        """Run a ``CREATE … IF NOT EXISTS``; two processes starting at once may both try."""
        for attempt in range(3):
            try:
                self.run(statement)
                return
            except (IntegrityError, PersistenceError):
                if attempt == 2:
                    raise

    def add_column(self, table: str, column: str, sql_type: str) -> None:
        """Add a column to a table (its bare name) made before the column existed; two
        processes may both try. Looked for first: ALTER TABLE locks the table even when the
        column is there."""
        if self._has_column(table, column):
            return
        if self._postgres is not None:
            self.run(f"ALTER TABLE {self.name(table)} ADD COLUMN IF NOT EXISTS {column} {sql_type}")
            return
        try:
            self.run(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
        except (PersistenceError, sqlite3.OperationalError):
            if not self._has_column(table, column):  # another process added it meanwhile
                raise

    def _has_column(self, table: str, column: str) -> bool:
        if self._postgres is not None:
            return bool(self.run("SELECT 1 AS found FROM information_schema.columns WHERE "
                                 "table_schema = %s AND table_name = %s AND column_name = %s",
                                 (self._postgres.schema, table, column)))
        return any(row["name"] == column for row in self.run(f"PRAGMA table_info({table})"))

    def run(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """One statement in its own transaction (``%s`` placeholders); answers its rows."""
        def rows() -> list[dict[str, Any]]:
            with self._cursor() as cursor:
                cursor.execute(self._dialect(sql), tuple(params))
                raw = getattr(cursor, "sqlite_cursor", cursor)
                return [dict(row) for row in cursor.fetchall()] if raw.description else []
        return self._tried(rows)

    def change(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One ``UPDATE`` or ``DELETE`` in its own transaction; answers how many rows it changed."""
        def changed() -> int:
            with self._cursor() as cursor:
                cursor.execute(self._dialect(sql), tuple(params))
                return int(getattr(cursor, "sqlite_cursor", cursor).rowcount)
        return self._tried(changed)

    def delete(self, table: str, *, where: str, params: Sequence[Any], limit: int) -> int:
        """Delete at most ``limit`` rows of ``table`` (as ``name()`` answers it) matching
        ``where``; answers how many. The rows are found by their physical address (``ctid``,
        ``rowid``): deleting by key, PostgreSQL chose to read the whole table for each batch."""
        if self._postgres is not None:
            return self.change(f"DELETE FROM {table} WHERE ctid = ANY(ARRAY("
                               f"SELECT ctid FROM {table} WHERE {where} LIMIT %s))",
                               (*params, limit))
        return self.change(f"DELETE FROM {table} WHERE rowid IN ("
                           f"SELECT rowid FROM {table} WHERE {where} LIMIT %s)", (*params, limit))

    def _tried(self, call: Callable[[], T]) -> T:
        # A token looked up first after a PostgreSQL restart met a dead pooled connection.
        return call() if self._postgres is None else once_more_if_broken(self._postgres.pool, call)

    def _dialect(self, sql: str) -> str:
        return sql if self._postgres else sql.replace("%s", "?")

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        if self._postgres is not None:
            # The pool's connections are in autocommit: one statement is its own transaction,
            # one round trip instead of BEGIN, the statement and COMMIT.
            with self._postgres.get_connection() as conn, conn.cursor() as pg_cursor:
                yield pg_cursor
        elif self._sqlite is not None:
            with self._sqlite.transaction(commit=True) as sqlite_cursor:
                yield sqlite_cursor
        else:
            assert self._memory is not None
            with self._lock:
                memory_cursor = self._memory.cursor()
                try:
                    yield memory_cursor
                finally:
                    memory_cursor.close()
