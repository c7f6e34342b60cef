"""Where the views live, and the only differences between SQLite and PostgreSQL we allow.

Embedded: a views file beside the event store (``var/views.db``), not inside it, so an API
request saving events never waits behind a projection batch for SQLite's single write lock;
the views' tracking positions live in the views file with their rows, so each batch still
commits rows and position in one transaction. PostgreSQL: the event store's own database
and schema, in tables of their own. Every statement is written once with ``?`` placeholders.

A PostgreSQL connection that breaks (the server restarted, the backend was terminated) is
never used again: the writer's owner drops it (``broken``), a reader is discarded, and the
next use connects anew, with a short connect timeout so an outage answers at once.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

Row = tuple[Any, ...]
COPY_FROM = 200  # rows of one table in one batch from which COPY beats one INSERT
CONNECT_S = 2  # an unreachable server answers a read 503 this soon, not after the OS gives up
# SQLSTATEs of a server that may take the same statement later: connection exceptions,
# rollbacks (deadlock, serialisation), insufficient resources, operator intervention
# (shutdown, starting up, cancelled), lock not available, system errors.
_AGAIN = ("08", "40", "53", "57", "55P03", "58")
READERS = 4  # idle reading connections kept per process
READ_TRIES = 3
_TYPES = {"int": "bigint", "text": "text"}


class Database:
    """Connections of one dialect: a writer per caller that asks, pooled readers."""

    dialect: str
    lock_rows = ""  # added to a SELECT of tracking rows inside a write transaction

    def writer(self, purpose: str = "writer") -> Any:
        """A connection of its own for ``purpose`` (named so an operator can find it)."""
        raise NotImplementedError

    def transient(self, error: BaseException) -> bool:
        """Whether ``error`` says the database cannot be reached now (try again later), as
        opposed to a statement it refuses."""
        raise NotImplementedError

    def broken(self, conn: Any) -> bool:
        """Whether ``conn`` must be replaced rather than used again."""
        return False

    def stored(self, value: Any) -> Any:
        """``value`` as the database keeps it."""
        return value

    def shown(self, values: list[Any]) -> list[Any]:
        """Each of ``values`` (parameters, or a column of rows) as the database keeps it: the
        same list when none changes."""
        return values

    def begin(self, conn: Any) -> None:
        raise NotImplementedError

    @contextmanager
    def reading(self) -> Iterator[Any]:
        raise NotImplementedError
        yield

    def sql(self, text: str) -> str:
        return text

    def tables(self, cur: Any) -> set[str]:
        raise NotImplementedError

    def lock_schema(self, cur: Any) -> None:
        """Serialise schema changes between processes starting at once."""

    def one_of(self, column: str, values: list[Any]) -> tuple[str, list[Any]]:
        """``column`` is one of ``values``: an SQL condition and its parameters."""
        return f"{column} IN ({', '.join('?' for _ in values)})", values

    def write_rows(self, cur: Any, statement: str, kinds: Sequence[str],
                   rows: list[tuple[Any, ...]]) -> None:
        """Run ``INSERT … {} …`` with ``{}`` standing for the rows (kinds "int" or "text")."""
        cur.executemany(statement.format("VALUES (" + ", ".join("?" for _ in kinds) + ")"), rows)

    def close(self) -> None:
        pass

    def fetch(self, text: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of a read. A read that loses a deadlock is run again: a rebuild swaps a
        view's tables one by one while a read of several may hold one and wait for another."""
        tries = 1
        while True:
            try:
                with self.reading() as cur:
                    cur.execute(self.sql(text), self.shown(list(params)))
                    names = [d[0] for d in cur.description]
                    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            except Exception as error:
                if tries == READ_TRIES or not self.deadlocked(error):
                    raise
                tries += 1

    def deadlocked(self, error: BaseException) -> bool:
        """Whether ``error`` says the statement was chosen to end a deadlock."""
        return False


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.local = threading.local()

    def writer(self, purpose: str = "writer") -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def transient(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.OperationalError)  # locked, busy, disk I/O

    def begin(self, conn: Any) -> None:
        conn.execute("BEGIN IMMEDIATE")  # take the write lock before reading positions

    @contextmanager
    def reading(self) -> Iterator[Any]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = self.writer()
        yield conn.cursor()

    def tables(self, cur: Any) -> set[str]:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r[0] for r in cur.fetchall()}


class PostgresDatabase(Database):
    dialect = "postgres"
    lock_rows = " FOR UPDATE"

    def __init__(self, url: str, schema: str) -> None:
        self.url, self.schema = url, schema
        self.idle: list[psycopg.Connection[Any]] = []
        self.guard = threading.Lock()

    def writer(self, purpose: str = "writer") -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_S,
                               application_name=f"gongxiao views {purpose}",
                               options=f"-c search_path={self.schema}")

    def transient(self, error: BaseException) -> bool:
        if isinstance(error, psycopg.InterfaceError):
            return True
        if not isinstance(error, psycopg.Error):
            return False
        if error.sqlstate is None:  # no answer from the server: it could not be reached
            return isinstance(error, psycopg.OperationalError)
        return error.sqlstate.startswith(_AGAIN)

    def broken(self, conn: Any) -> bool:
        return bool(conn.closed or conn.broken)

    def deadlocked(self, error: BaseException) -> bool:
        return isinstance(error, psycopg.errors.DeadlockDetected)

    def stored(self, value: Any) -> Any:
        return _shown(value)

    def shown(self, values: list[Any]) -> list[Any]:
        return [_shown(v) for v in values] if _holds_nul(values) else values

    def begin(self, conn: Any) -> None:
        conn.execute("BEGIN")
        # Views are derived: a crash may lose the last commits, but each takes its rows and
        # its tracking position together, so a restart projects those events again.
        conn.execute("SET LOCAL synchronous_commit TO OFF")

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A connection kept from an earlier read, or a new one: one that broke during the
        read is dropped with every idle one (they went down together), and the error goes
        to the caller (503), so the next read connects anew."""
        with self.guard:
            conn = self.idle.pop() if self.idle else None
        conn = conn or self.writer("reader")
        try:
            yield conn.cursor()
        except BaseException:
            if self.broken(conn):
                self.close()
                raise
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.rollback()
            raise
        finally:
            if not conn.closed:
                self._keep(conn)

    def _keep(self, conn: psycopg.Connection[Any]) -> None:
        with self.guard:
            if len(self.idle) < READERS and not self.broken(conn):
                self.idle.append(conn)
                return
        conn.close()

    def sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def one_of(self, column: str, values: list[Any]) -> tuple[str, list[Any]]:
        # One array parameter: the same prepared plan for any number of keys.
        return f"{column} = ANY(?)", [values]

    def tables(self, cur: Any) -> set[str]:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,))
        return {r[0] for r in cur.fetchall()}

    def lock_schema(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('gongxiao views schema'))")

    def write_rows(self, cur: Any, statement: str, kinds: Sequence[str],
                   rows: list[tuple[Any, ...]]) -> None:
        """A few rows: each column sent as one binary array (psycopg writes a text array in
        Python through a regular expression, 2.5-5 times slower). Many: COPY into a temporary
        table of the same column types first (psycopg formats COPY rows in C)."""
        columns = [list(col) for col in zip(*rows, strict=True)]
        shown = [self.shown(col) if kind == "text" else col
                 for col, kind in zip(columns, kinds, strict=True)]
        if len(rows) < COPY_FROM:
            source = "SELECT * FROM unnest(" + ", ".join(
                f"%b::{_TYPES[k]}[]" for k in kinds) + ")"
            cur.execute(statement.format(source), shown)
            return
        if any(s is not c for s, c in zip(shown, columns, strict=True)):  # a NUL replaced
            rows = list(zip(*shown, strict=True))
        stage = "gx_stage_" + "".join(k[0] for k in kinds)
        cols = ", ".join(f"c{i}" for i in range(len(kinds)))
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ("
                    + ", ".join(f"c{i} {_TYPES[k]}" for i, k in enumerate(kinds))
                    + ") ON COMMIT DELETE ROWS")
        with cur.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(statement.format(f"SELECT {cols} FROM {stage}"))
        cur.execute(f"DELETE FROM {stage}")  # another table of the same types may follow

    def close(self) -> None:
        with self.guard:
            idle, self.idle = self.idle, []
        for conn in idle:
            conn.close()


def _shown(value: Any) -> Any:
    """PostgreSQL text cannot hold U+0000 (an event stored before the API refused it may
    carry one): every string sent to the views' database (the rows written, the keys and
    parameters of reads) has it replaced, by ``PostgresDatabase.shown`` and ``stored``. Not
    by a dumper of psycopg's: one written in Python made psycopg format every string, and
    every COPY row, in Python instead of C (a tenth of a catch-up's time)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    return [_shown(v) for v in value] if isinstance(value, list) else value


def _holds_nul(values: list[Any]) -> bool:
    """Whether a string among ``values`` (or in a list among them) holds U+0000: one join in
    C when they are all strings or None, as a column of text is."""
    try:
        return "\x00" in "".join(filter(None, values))
    except TypeError:  # other values: one by one
        return any(_holds_nul(v) if isinstance(v, list) else isinstance(v, str) and "\x00" in v
                   for v in values)


def open_database(*, database_url: str | None, var_dir: Path, schema: str = "public") -> Database:
    if database_url is None:
        return SQLiteDatabase(var_dir / "views.db")
    return PostgresDatabase(database_url, schema)
