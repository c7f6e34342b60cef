"""A PostgreSQL database of a test's or a benchmark's own: created, and dropped afterwards."""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

DROP_TRIES = 12


@contextmanager
def own_database(base: str, prefix: str, *, strict: bool = True) -> Iterator[str]:
    """The URL of a new database ``<prefix>_…`` on the server of ``base``, dropped afterwards.
    Not ``strict``: a database that cannot be dropped is reported, not raised (a benchmark's
    figures are not lost to it)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(urlsplit(base)._replace(path="/" + name))
    finally:
        try:
            drop_database(base, name)
        except psycopg.Error as refused:
            if strict:
                raise
            print(f"could not drop {name}: {refused}", file=sys.stderr)


def drop_database(base: str, name: str) -> None:
    """Drop ``name``, whoever is still in it. A plain DROP ends the server's autovacuum there,
    which ``WITH (FORCE)`` has no right to end (its workers have no role: "must be a member of
    the role whose process is being terminated"); ``FORCE`` ends the sessions a killed
    process left behind, for which a plain DROP waits 5 s and gives up. So the two take turns,
    FORCE first."""
    with psycopg.connect(base, autocommit=True) as conn:
        for attempt in range(DROP_TRIES):
            try:
                conn.execute(f"DROP DATABASE IF EXISTS {name}"
                             + ("" if attempt % 2 else " WITH (FORCE)"))
                return
            except (psycopg.errors.ObjectInUse, psycopg.errors.InsufficientPrivilege):
                time.sleep(0.2)
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
