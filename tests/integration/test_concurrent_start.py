"""Processes starting at once on one new PostgreSQL schema (two relays, the API workers) each
create the event store's tables, types and function: every one of them starts."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest

from infra.application import StoredGongxiao

pytestmark = pytest.mark.postgres
STARTING, ROUNDS = 6, 4


def test_applications_starting_at_once_on_a_new_schema_all_start(
        pg_env: dict[str, str], postgres_url: str) -> None:
    refused: list[Exception] = []
    for _ in range(ROUNDS):  # each round a new schema: the race is on creating its tables
        schema = f"start_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            _start_at_once({**pg_env, "POSTGRES_SCHEMA": schema}, refused)
        finally:
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    assert refused == []


def _start_at_once(env: dict[str, str], refused: list[Exception]) -> None:
    start = threading.Barrier(STARTING)

    def begin() -> None:
        start.wait()
        try:
            StoredGongxiao(env=env).close()
        except Exception as error:
            refused.append(error)

    threads = [threading.Thread(target=begin) for _ in range(STARTING)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
