"""The books view fetches the members' standings (``books_standings``) a batch reads all at
once, in the second round of the batch's prefetch (a grading's farmer and unit come from rows
the first round fetched), instead of one lookup per grading, input sale and payment; the
vouchers are those of a catch-up one event at a time."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.views import ReadModels, build_views
from infra.views.store import SqlTransaction
from tests.district import at, seed

FARMERS = [f"f{n:02d}" for n in range(12)]


def _registered() -> StoredGongxiao:
    app = seed(StoredGongxiao())
    app.register_unit(unit_id="u1", name="唐昌供销社", kind="grassroots")
    for site in ("shop", "yongan"):
        app.assign_site_to_unit(site_id=site, unit_id="u1")
    for farmer in FARMERS:
        app.register_farmer(farmer_id=farmer, name=farmer, village="永安村")
    app.declare_membership(unit_id="u1", farmer_id="f03", is_member=False)
    return app


def _business(app: StoredGongxiao) -> None:
    for step, farmer in enumerate(FARMERS):
        when = at(1, step / 10)
        app.receive_batch(batch_code=f"B{step}", site_id="yongan", farmer_id=farmer, sku="woshun",
                          harvested_at=when, net_kg="20", scanned_at=when)
        app.record_input_sale(shop_id="shop", farmer_id=farmer, sold_at=when, payment="credit",
                              key=f"s{step}", lines=[{"sku": "bichonglin", "lot": "L",
                                                      "quantity": "1", "unit_price_fen": 2800}])
        app.pay_farmer(farmer_id=farmer, amount_fen=1000 + step, paid_at=when, method="cash",
                       reference=f"p{step}")
    for step in range(len(FARMERS)):  # graded after all were received
        app.grade_batch(batch_code=f"B{step}", graded_at=at(2, step / 10), grades={"A": "19"},
                        reject_kg="1")


def _vouchers(views: ReadModels) -> list[dict[str, Any]]:
    return views.db.fetch("SELECT * FROM books_lines ORDER BY voucher_id, line_no")


def test_a_batch_fetches_the_standings_it_reads_at_once_and_posts_the_same_vouchers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = _registered()
    loads: Counter[str] = Counter()
    load = SqlTransaction._load

    def counted(self: SqlTransaction, table: Any, keys: list[Any]) -> None:
        loads[table.name] += 1
        load(self, table, keys)

    with tempfile.TemporaryDirectory() as tmp:
        one, whole = (build_views(Settings(database_url=None, kafka_bootstrap=None,
                                           var_dir=Path(tmp) / n)) for n in ("one", "whole"))
        try:
            whole.runner(app, names=["books"]).catch_up()  # the units and farmers
            _business(app)
            one.runner(app, batch_size=1, names=["books"]).catch_up()
            monkeypatch.setattr(SqlTransaction, "_load", counted)
            runner = whole.runner(app, batch_size=10_000, names=["books"])
            assert runner.run_once() > 0 and runner.run_once() == 0  # the business in one batch
            # twelve gradings, input sales and payments of twelve farmers: one fetch
            assert loads["books_standings"] == 1
            assert _vouchers(one) == _vouchers(whole)
            non_member = [line for line in _vouchers(whole)
                          if line["sub"] in ("customer:f03", "supplier:f03")]
            assert {line["account"] for line in non_member} == {"113", "211"}
        finally:
            one.close()
            whole.close()
    app.close()
