"""Which relay owns which partition of the events topic: one lock per partition, held for as
long as the relay runs, in the same place as the positions it guards.

On PostgreSQL a partition's lock is a session-level advisory lock, ``pg_try_advisory_lock(
key, partition)`` with ``key`` derived from the event store's schema and the topic (positions
are per schema and topic), taken on a connection of its own that the relay keeps open. The
server releases it when that session ends, however it ends: the relay stops, is killed, or its
connection is cut. So a relay checks the connection before each chunk and again before it
records the chunk's position; once the check fails the partitions are no longer its own
(``LockLost``) and it must claim them again like any other relay. Holders show in ``pg_locks``
(``classid`` = the key, ``objid`` = the partition) and, by their ``application_name``
``gongxiao-relay@host:pid``, in ``pg_stat_activity``.

On the embedded store (SQLite) the relay is a process beside ``gongxiao serve`` on the same
machine, so a partition's lock is an ``flock`` on a file beside the database
(``gongxiao.db-relay/<topic>.<partition>.lock``), released when the process ends; the file
names its holder. An in-memory store belongs to one relay object, so its locks are all granted.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn, Protocol

import psycopg
from eventsourcing.persistence import ApplicationRecorder, PersistenceError
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore


class PartitionLocks(Protocol):
    @property
    def held(self) -> set[int]:
        """The partitions whose locks this relay holds."""

    def claim(self, partitions: Iterable[int]) -> set[int]:
        """Take whichever of ``partitions`` no one holds; answers all those held now. Raises
        ``LockLost`` if locks held before are gone."""

    def confirm(self) -> None:
        """Raise ``LockLost`` unless every lock in ``held`` is certainly still held."""

    def holders(self, partitions: Iterable[int]) -> dict[int, str]:
        """Who holds each of ``partitions`` that another holds, as far as can be told."""

    def release(self) -> None:
        """Give every lock up."""


def partition_locks(recorder: ApplicationRecorder, *, topic: str) -> PartitionLocks:
    """The locks of ``topic``'s partitions on the store ``recorder`` writes to."""
    datastore = getattr(recorder, "datastore", None)
    if isinstance(datastore, PostgresDatastore):
        return AdvisoryLocks(datastore, topic=topic)
    if isinstance(datastore, SQLiteDatastore) and not datastore.pool.is_sqlite_memory_mode:
        return FileLocks(Path(datastore.pool.db_name + "-relay"), topic=topic)
    return AllGranted()


def holder_name() -> str:
    return f"gongxiao-relay@{socket.gethostname()}:{os.getpid()}"[:63]


class AdvisoryLocks:
    def __init__(self, datastore: PostgresDatastore, *, topic: str) -> None:
        kwargs = datastore.pool.kwargs
        assert isinstance(kwargs, dict), "eventsourcing gives its pool the connection settings"
        # where and as whom, not how: this connection has settings of its own
        self.connect_kwargs = {k: kwargs[k] for k in ("dbname", "host", "port", "user", "password")}
        digest = hashlib.blake2b(f"gongxiao-relay\0{datastore.schema}\0{topic}".encode(), digest_size=4)
        self.key = int.from_bytes(digest.digest()) & 0x7FFFFFFF  # an oid in pg_locks, so >= 0
        self.held: set[int] = set()
        self.connection: psycopg.Connection | None = None

    def claim(self, partitions: Iterable[int]) -> set[int]:
        wanted = sorted(set(partitions) - self.held)
        try:
            connection = self.connection or self._connect()
            if not wanted:
                connection.execute("SELECT 1")
                return set(self.held)
            taken = connection.execute(
                "SELECT p FROM unnest(%s::int[]) AS p WHERE pg_try_advisory_lock(%s, p)",
                (wanted, self.key)).fetchall()
        except psycopg.Error as error:
            self._lost(error)
        self.held |= {int(row[0]) for row in taken}
        return set(self.held)

    def confirm(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.execute("SELECT 1")
        except psycopg.Error as error:
            self._lost(error)

    def holders(self, partitions: Iterable[int]) -> dict[int, str]:
        if self.connection is None:
            return {}
        rows = self.connection.execute(
            "SELECT l.objid::int, l.pid, a.application_name, host(a.client_addr) "
            "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.classid = %s::bigint::oid AND l.objid::int = ANY(%s::int[]) "
            "AND l.pid <> pg_backend_pid()", (self.key, sorted(partitions))).fetchall()
        return {p: f"{name or 'a session'} (PostgreSQL pid {pid}"
                   f"{f', from {addr}' if addr else ''})" for p, pid, name, addr in rows}

    def release(self) -> None:
        connection, self.connection = self.connection, None
        self.held = set()
        if connection is not None:
            connection.close()  # the session ends, and with it every lock it held

    def _connect(self) -> psycopg.Connection:
        # Keepalives and a user timeout make a connection to a vanished server fail within
        # seconds instead of the kernel's minutes, so a cut-off relay notices it is cut off.
        self.connection = psycopg.connect(
            **self.connect_kwargs, autocommit=True, application_name=holder_name(),
            connect_timeout=10, keepalives=1, keepalives_idle=10, keepalives_interval=5,
            keepalives_count=3, tcp_user_timeout=15_000)
        return self.connection

    def _lost(self, error: psycopg.Error) -> NoReturn:
        held = sorted(self.held)
        self.release()
        raise LockLost(f"the connection holding the locks of partitions {held} failed ({error!r}); "
                       "they are no longer this relay's" if held else
                       f"could not claim partitions: {error!r}") from error


class FileLocks:
    def __init__(self, directory: Path, *, topic: str) -> None:
        self.directory, self.topic = directory, topic
        self.files: dict[int, int] = {}

    @property
    def held(self) -> set[int]:
        return set(self.files)

    def claim(self, partitions: Iterable[int]) -> set[int]:
        self.confirm()
        self.directory.mkdir(parents=True, exist_ok=True)
        for partition in sorted(set(partitions) - self.held):
            fd = os.open(self._path(partition), os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, holder_name().encode())
            self.files[partition] = fd
        return self.held

    def confirm(self) -> None:
        for partition, fd in self.files.items():
            try:
                same = os.stat(self._path(partition)).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the file was removed: another relay may lock the new one
                held = sorted(self.files)
                self.release()
                raise LockLost(f"the lock file of partition {partition} was removed; partitions "
                               f"{held} are no longer this relay's")

    def holders(self, partitions: Iterable[int]) -> dict[int, str]:
        named = {}
        for partition in set(partitions) - self.held:
            with contextlib.suppress(FileNotFoundError):
                named[partition] = self._path(partition).read_text() or "another process"
        return named

    def release(self) -> None:
        files, self.files = self.files, {}
        for fd in files.values():
            os.close(fd)

    def _path(self, partition: int) -> Path:
        return self.directory / f"{self.topic}.{partition}.lock"


class AllGranted:
    def __init__(self) -> None:
        self.held: set[int] = set()

    def claim(self, partitions: Iterable[int]) -> set[int]:
        self.held |= set(partitions)
        return set(self.held)

    def confirm(self) -> None:
        pass

    def holders(self, partitions: Iterable[int]) -> dict[int, str]:
        return {}

    def release(self) -> None:
        self.held = set()


class LockLost(PersistenceError):
    """The relay no longer holds partitions it held: it must not record their positions."""
