"""The domain's application on its own, without the store's machinery of ``infra``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.application import Gongxiao
from domain.packing_run import PackingRun
from domain.stock import Stock, StockShort
from domain.values import command_id
from tests.district import at, events, graded, packs, seed


def test_the_use_cases_run_on_the_domain_application_alone_from_intake_to_order() -> None:
    app = seed(Gongxiao())
    graded(app, "B1")
    codes = packs(app, 4)
    order = app.place_order(outlet_id="out-a", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 3}], placed_at=at(0, 6))
    assert order["lines"][0]["reserved_pack_codes"] == codes[:3]
    stock = app.repository.get(Stock.create_id("jiuhuang", "A", "yongan"))
    assert stock.available(Decimal("0.5"), at(0, 6)) == codes[3:]


def test_a_refused_use_case_on_the_domain_application_records_nothing() -> None:
    app = seed(Gongxiao())
    graded(app, "B1")
    packs(app, 2)
    before = events(app)
    with pytest.raises(StockShort):
        app.place_order(outlet_id="out-a", lines=[
            {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2},
            {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 1}], placed_at=at(0, 6))
    assert events(app) == before


def two_cold_stores() -> tuple[Gongxiao, list[str], list[str]]:
    """Packs at yongan (expiring first) and at ande, of one product and grade."""
    app = seed(Gongxiao())
    app.register_site(site_id="ande", name="安德冷库", kind="cold_store")
    graded(app, "B1")
    app.receive_batch(batch_code="B2", site_id="ande", farmer_id="zhang", sku="jiuhuang",
                      harvested_at=at(1), net_kg="100", scanned_at=at(1, 2))
    app.grade_batch(batch_code="B2", graded_at=at(1, 3), grades={"A": "60"}, reject_kg="5")
    yongan = packs(app, 2)
    ande = app.run_packing(site_id="ande", sku="jiuhuang", grade="A", pack_kg="0.5", count=2,
                           packed_at=at(1, 4))["pack_codes"]
    return app, yongan, ande


def test_an_order_draws_fefo_across_cold_stores_and_writes_only_the_stocks_it_drew_from() -> None:
    app, yongan, ande = two_cold_stores()
    ande_version = app.repository.get(Stock.create_id("jiuhuang", "A", "ande")).version
    order = app.place_order(outlet_id="out-a", placed_at=at(1, 6), lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2}])
    assert order["lines"][0]["reserved_pack_codes"] == yongan
    assert app.repository.get(Stock.create_id("jiuhuang", "A", "ande")).version == ande_version
    with pytest.raises(StockShort):
        app.place_order(outlet_id="out-a", placed_at=at(1, 6), lines=[
            {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 3}])
    shipped = app.place_order(outlet_id="out-b", placed_at=at(1, 6), lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2}])
    assert shipped["lines"][0]["reserved_pack_codes"] == ande
    trip = app.ship(order_id=shipped["order_id"], pack_codes=ande, departed_at=at(1, 7))
    assert {p["site_id"] for p in app.shipment(trip["shipment_id"]).packs} == {"ande"}


def test_an_order_picked_at_one_cold_store_draws_from_it_only() -> None:
    app, yongan, ande = two_cold_stores()
    order = app.place_order(outlet_id="out-a", placed_at=at(1, 6), site_id="ande", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2}])
    assert order["lines"][0]["reserved_pack_codes"] == ande, "not yongan's, nearer expiry"
    here = app.repository.get(Stock.create_id("jiuhuang", "A", "yongan"))
    assert here.available(Decimal("0.5"), at(1, 6)) == yongan
    with pytest.raises(StockShort):
        app.place_order(outlet_id="out-a", placed_at=at(1, 6), site_id="ande", lines=[
            {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 1}])
    app.cancel_order(order_id=order["order_id"], at=at(1, 7))
    stock = app.repository.get(Stock.create_id("jiuhuang", "A", "ande"))
    assert stock.available(Decimal("0.5"), at(1, 7)) == ande


def test_the_same_packing_run_twice_makes_its_packs_once() -> None:
    app = seed(Gongxiao())
    graded(app, "B1")
    first = packs(app, 2, key="run-1")
    before = events(app)
    assert packs(app, 2, key="run-1") == first
    assert events(app) == before
    run = app.repository.get(command_id("packing_run", "run-1"))
    assert isinstance(run, PackingRun) and (run.site_id, run.pack_codes) == ("yongan", first)
    stock = app.repository.get(Stock.create_id("jiuhuang", "A", "yongan"))
    assert stock.available(Decimal("0.5"), at(0, 5)) == first
