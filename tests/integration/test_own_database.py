"""A test's or benchmark's own database is dropped even with sessions still in it."""

from __future__ import annotations

import psycopg
import pytest

from tests.databases import own_database


def test_a_database_is_dropped_with_a_session_a_killed_process_left_in_it(
        postgres_url: str) -> None:
    with own_database(postgres_url, "gongxiao_test_left") as url:
        left = psycopg.connect(url)  # as a killed server's pool would leave it
        left.execute("SELECT 1")
    with psycopg.connect(postgres_url) as conn:
        name = url.rsplit("/", 1)[1]
        assert conn.execute("SELECT COUNT(*) FROM pg_database WHERE datname = %s",
                            (name,)).fetchone() == (0,)
    with pytest.raises(psycopg.OperationalError):  # its session was ended
        left.execute("SELECT 1")
    left.close()
