"""How a batch reads and writes, on both stores: what the catch-up speed stands on."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import Gongxiao
from infra.views import ReadModels
from infra.views.db import COPY_FROM
from infra.views.runner import ProjectionRunner
from infra.views.store import SqlTransaction
from tests.district import at, graded, packs
from tests.integration.projections.conftest import snapshot
from tests.integration.projections.flows import busy_week


def _runner(app: Gongxiao, views: ReadModels, batch_size: int) -> ProjectionRunner:
    return views.runner(app, batch_size=batch_size)


def test_a_batch_of_more_rows_than_one_statement_takes_is_written_whole(
        district: Gongxiao, views: ReadModels) -> None:
    for i in range(6):
        graded(district, f"B{i}", a="60")
    made = packs(district, 300) + packs(district, 300)
    assert len(made) > COPY_FROM
    _runner(district, views, 5000).catch_up()
    [level] = [r for r in views.stock.levels(sku="jiuhuang", grade="A")]
    assert level["packs_available"] == 600
    assert views.db.fetch("SELECT COUNT(*) AS n FROM trace_packs")[0]["n"] == 600
    assert all(r["drift"] == 0 for r in views.reconcile(district))  # live and shadow at once


def test_rows_a_batch_creates_are_not_looked_up_when_it_changes_them(
        district: Gongxiao, views: ReadModels, monkeypatch: pytest.MonkeyPatch) -> None:
    graded(district, "B1", a="60")
    codes = packs(district, 40)
    district.place_order(outlet_id="out-a", placed_at=at(0, 5), lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 40}])
    looked_up: list[Any] = []
    load = SqlTransaction._load

    def counting(self: SqlTransaction, table: Any, keys: list[Any]) -> None:
        looked_up.extend((table.name, k) for k in keys)
        load(self, table, keys)

    monkeypatch.setattr(SqlTransaction, "_load", counting)
    _runner(district, views, 5000).catch_up()
    assert not [k for k in looked_up if k[1][0] in codes]
    assert views.stock.levels(sku="jiuhuang", grade="A")[0]["packs_reserved"] == 40


def test_small_batches_read_ahead_give_the_view_one_large_batch_gives(
        district: Gongxiao, views: ReadModels) -> None:
    busy_week(district)
    _runner(district, views, 7).catch_up()
    assert all(r["drift"] == 0 for r in views.reconcile(district))
    small = snapshot(views)
    views.rebuild(district)
    assert snapshot(views) == small
