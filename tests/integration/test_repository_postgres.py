"""The use cases' repository on PostgreSQL: a stock not held yet in this process is read from
its latest snapshot, in the one query that brings the other aggregates of a command up to
date."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from domain.stock import Stock
from infra.application import StoredGongxiao
from infra.recorders import PostgresRecorder
from tests.district import graded, packs, seed


@pytest.fixture
def store_env(pg_env: dict[str, str]) -> dict[str, str]:
    return dict(pg_env)


@pytest.fixture
def app(store_env: dict[str, str]) -> Iterator[StoredGongxiao]:
    application = StoredGongxiao(env=store_env)
    yield application
    application.close()


def test_an_aggregate_not_held_yet_starts_at_its_latest_snapshot_in_the_same_query(
        app: StoredGongxiao, store_env: dict[str, str]) -> None:
    seed(app)
    stock_id = Stock.create_id("jiuhuang", "A", "yongan")
    for i in range(12):
        graded(app, f"SNAP{i}")
        packs(app, 2, key=f"snap-run-{i}")
    stock = app.repository.get(stock_id)
    assert app.snapshots is not None
    latest = max(s.originator_version for s in app.snapshots.get(stock_id))
    assert 10 <= latest < stock.version
    fresh = StoredGongxiao(env=store_env)  # another process: nothing cached
    try:
        assert isinstance(fresh.recorder, PostgresRecorder) and fresh.snapshots is not None
        missing = uuid4()
        rows = fresh.recorder.select_latest_of(
            [(stock_id, 0), (missing, 0)], fresh.snapshots.recorder.events_table_name)
        assert [(s, e.originator_version) for s, e in rows] == [
            (True, latest), *((False, v) for v in range(latest + 1, stock.version + 1))]
        found = fresh.repository.get_many([stock_id, missing])
    finally:
        fresh.close()
    assert found[missing] is None
    replayed = None
    for event in app.events.get(stock_id):
        replayed = event.mutate(replayed)
    assert vars(found[stock_id]) == vars(replayed)
