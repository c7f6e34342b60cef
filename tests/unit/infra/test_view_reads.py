"""A read of the views that loses a deadlock to a rebuild's swap is run again, a few times at
most; any other error reaches the caller at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from infra.views.db import READ_TRIES, Database, PostgresDatabase


class Failing(Database):
    """Reads from an in-memory SQLite after failing the first ``failures`` with ``error``."""

    deadlocked = PostgresDatabase.deadlocked

    def __init__(self, error: Exception, failures: int) -> None:
        self.error, self.failures, self.tries = error, failures, 0

    @contextmanager
    def reading(self) -> Iterator[Any]:
        self.tries += 1
        if self.tries <= self.failures:
            raise self.error
        yield sqlite3.connect(":memory:").cursor()


def test_a_read_that_lost_a_deadlock_is_run_again() -> None:
    db = Failing(psycopg.errors.DeadlockDetected("deadlock detected"), failures=READ_TRIES - 1)
    assert db.fetch("SELECT 1 AS n") == [{"n": 1}]
    assert db.tries == READ_TRIES


def test_a_read_that_keeps_losing_deadlocks_gives_up() -> None:
    db = Failing(psycopg.errors.DeadlockDetected("deadlock detected"), failures=READ_TRIES)
    with pytest.raises(psycopg.errors.DeadlockDetected):
        db.fetch("SELECT 1 AS n")
    assert db.tries == READ_TRIES


def test_any_other_read_error_is_not_run_again() -> None:
    db = Failing(psycopg.errors.UndefinedTable("no such table"), failures=1)
    with pytest.raises(psycopg.errors.UndefinedTable):
        db.fetch("SELECT 1 AS n")
    assert db.tries == 1
