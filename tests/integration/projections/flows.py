"""A working week in the small district that touches every event the views follow."""

from __future__ import annotations

from decimal import Decimal

from domain.application import Gongxiao
from tests.district import at, graded, intake, packs


def busy_week(app: Gongxiao) -> None:
    app.record_input_sale(shop_id="shop", farmer_id="zhang", sold_at=at(-3), payment="credit",
                          lines=[{"sku": "fuhefei", "lot": "FH-1", "quantity": 2,
                                  "unit_price_fen": 16500}], key="sale-1")
    app.record_input_application(farmer_id="wang", sku="bichonglin", lot="BCL-9",
                                 applied_at=at(-2), crop_sku="jiuhuang")
    graded(app, "B1")
    graded(app, "B2", day=1, a="40", b="20")
    intake(app, "B-held", farmer="wang")
    app.release_batch(batch_code="B-held", reason="residue test passed", at=at(0, 5))
    app.grade_batch(batch_code="B-held", graded_at=at(0, 6), grades={"A": "30"}, reject_kg="2")
    graded(app, "W1", sku="woshun", farmer="wang", a="70")
    app.log_temperatures(site_id="yongan", room="R1", readings=[
        {"at": at(0, h), "celsius": Decimal("2.5") if h != 9 else Decimal("6.2")}
        for h in range(0, 24, 3)])
    first = packs(app, 30, key="run-1")
    packs(app, 10, day=1, key="run-2", grade="B", pack_kg="1")
    order = app.place_order(outlet_id="out-a", placed_at=at(1, 5), key="o-1", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 12}])
    reserved = order["lines"][0]["reserved_pack_codes"]
    shipment = app.ship(order_id=order["order_id"], pack_codes=reserved[:8], departed_at=at(1, 6),
                        key="s-1")
    stray = next(c for c in first if c not in reserved)  # on no truck, found at the outlet
    app.confirm_delivery(shipment_id=shipment["shipment_id"], received_at=at(1, 8),
                         pack_codes=[*reserved[:7], stray, "STRAY-0001"])
    for code in reserved[:3]:
        app.sell_pack(outlet_id="out-a", pack_code=code, sold_at=at(1, 10), price_fen=1680)
    app.cancel_order(order_id=order["order_id"], at=at(1, 12))
    other = app.place_order(outlet_id="out-b", placed_at=at(2), key="o-2", lines=[
        {"sku": "jiuhuang", "grade": "B", "pack_kg": "1", "packs": 4}])
    assert other["lines"][0]["reserved_pack_codes"] and first
    app.pay_farmer(farmer_id="zhang", amount_fen=30000, paid_at=at(2), method="cash",
                   reference="R1")
    app.flag_shelf_life(at=at(6, 12), nearing_days=1)
