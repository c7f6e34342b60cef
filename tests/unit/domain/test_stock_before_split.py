"""A stock stored before stocks were split by cold store: its events, in the shape that code
stored them, still load, and what it holds is still packed, reserved, shipped and released;
each cold store's stock takes over what it held there, and the views follow."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.order import Order
from domain.stock import Stock, StockShort
from domain.values import command_id
from infra.application import StoredGongxiao
from infra.views import ReadModels
from tests.district import at, seed
from tests.stored_before import stored_as_before as before

# What the events of version 1 did not have: the fields added since, and their class version.
ADDED = {"gongxiao:Stock.Opened": ("site_id", "held"), "gongxiao:Stock.Packed": ("mixed",),
         "gongxiao:Order.Placed": ("sites",)}


def stored_as_before(app: StoredGongxiao, *aggregates: Any) -> None:
    """Record the aggregates' new events in the shape the code before the split stored them."""
    def reshape(topic: str, state: dict[str, Any]) -> None:
        if topic == "gongxiao:Stock.Packed":
            state["draws"] = [{"batch_code": d["batch_code"], "kg": d["kg"]} for d in state["draws"]]

    before(app, *aggregates, added=ADDED, reshape=reshape)


def one(count: int, key: str, *, site: str = "yongan", day: float = 2) -> dict[str, Any]:
    return {"site_id": site, "sku": "jiuhuang", "grade": "A", "pack_kg": "1", "count": count,
            "packed_at": at(day), "key": key}


def test_a_coop_wide_stock_of_before_keeps_serving_what_it_held(
        app: StoredGongxiao, views: ReadModels) -> None:
    seed(app)
    app.register_site(site_id="ande", name="安德冷库", kind="cold_store")
    coop = Stock(sku="jiuhuang", grade="A")
    for code, site, kg, expires in (("B0", "yongan", "1.5", 6), ("B1", "yongan", "10", 7),
                                    ("B2", "ande", "6", 8)):
        app.receive_batch(batch_code=code, site_id=site, farmer_id="zhang", sku="jiuhuang",
                          harvested_at=at(0), net_kg="20", scanned_at=at(0, 1))
        coop.add_lot(batch_code=code, site_id=site, kg=Decimal(kg), expires_at=at(expires),
                     received_at=at(0))
    old_codes = coop.pack(run_id=command_id("packing_run", "old-run"), site_id="yongan",
                          pack_kg=Decimal(1), count=4, packed_at=at(1), sources=None)
    old_order = uuid4()
    reserved = coop.reserve(order_id=old_order, pack_kg=Decimal(1), packs=2, at=at(1))
    order = Order(id=old_order, outlet_id="out-a", wanted_by=None, placed_at=at(1), lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": Decimal(1), "packs": 2,
         "reserved_pack_codes": reserved}])
    stored_as_before(app, coop, order)

    loaded = app.repository.get(Stock.create_id("jiuhuang", "A"))
    assert (loaded.site_id, loaded.lot_kg("B1"), set(loaded.packs)) == (None, Decimal("7.5"), set(old_codes))
    assert app.order(str(old_order)).sites is None
    assert app.run_packing(**one(4, "old-run", day=1))["pack_codes"] == old_codes, "a repeat"

    yongan = app.run_packing(**one(7, "new-run"))["pack_codes"]  # what B1 had left, but 0.5 kg
    with pytest.raises(StockShort):
        app.run_packing(**one(1, "short-run"))
    ande = app.run_packing(**one(2, "ande-run", site="ande"))["pack_codes"]
    free_old = [c for c in old_codes if c not in reserved]
    placed = app.place_order(outlet_id="out-b", placed_at=at(3), key="o-new", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "1", "packs": 10}])
    assert placed["lines"][0]["reserved_pack_codes"] == [*free_old, *yongan, ande[0]], "FEFO"

    trip = app.ship(order_id=str(old_order), pack_codes=reserved, departed_at=at(3), key="s-old")
    assert {p["site_id"] for p in app.shipment(trip["shipment_id"]).packs} == {"yongan"}
    app.cancel_order(order_id=placed["order_id"], at=at(3, 1))
    coop = app.repository.get(Stock.create_id("jiuhuang", "A"))
    assert (coop.sites, dict(coop.lots), dict(coop.packs)) == (["yongan", "ande"], {}, {})
    here = app.repository.get(Stock.create_id("jiuhuang", "A", "yongan"))
    assert here.available(Decimal(1), at(3, 2)) == [*free_old, *yongan]

    views.runner(app).catch_up()
    levels = {level["site_id"]: level for level in views.stock.levels(grade="A")}
    assert (levels["yongan"]["graded_kg_unpacked"], levels["yongan"]["packs_available"],
            levels["yongan"]["packs_in_transit"]) == (Decimal("0.5"), 9, 2)
    assert (levels["ande"]["graded_kg_unpacked"], levels["ande"]["packs_available"]) == (4, 2)
    trace = views.trace.trace(old_codes[0])
    assert trace is not None and [s["batch_code"] for s in trace["sources"]] == ["B0", "B1"], (
        "a run of before lineage keeps whole-run lineage")
