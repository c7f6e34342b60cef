"""Processes starting at once on one PostgreSQL schema (two relays, the API workers) each
create the event store's tables, types and function: every one of them starts."""

from __future__ import annotations

import threading

import pytest

from domain.application import Gongxiao

pytestmark = pytest.mark.postgres
STARTING = 6


def test_applications_starting_at_once_on_a_new_schema_all_start(pg_env: dict[str, str]) -> None:
    start, refused = threading.Barrier(STARTING), []

    def begin() -> None:
        start.wait()
        try:
            Gongxiao(env=pg_env).close()
        except Exception as error:
            refused.append(error)

    threads = [threading.Thread(target=begin) for _ in range(STARTING)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert refused == []
