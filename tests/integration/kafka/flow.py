"""Event logs for the Kafka tests: the district's whole flow, and plain volume."""

from __future__ import annotations

from domain.application import Gongxiao
from domain.farmer import Farmer
from tests.district import at, graded, packs, seed


def trade(app: Gongxiao, days: int = 3, *, first_day: int = 0) -> int:
    """``days`` of the flow, field to till, through the use cases; answers the last id."""
    seed(app)
    for day in range(first_day, first_day + days):
        app.record_input_sale(shop_id="shop", farmer_id="wang", sold_at=at(day, 1),
                              payment="credit", key=f"sale-{day}", lines=[
                                  {"sku": "fuhefei", "lot": f"L{day}", "quantity": 2,
                                   "unit_price_fen": 15000}])
        for i in range(3):
            graded(app, f"B{day}-{i}", day=day, farmer=("zhang", "wang")[i % 2])
        codes = packs(app, 12, day=day, key=f"run-{day}")
        line = {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 6}
        for outlet in ("out-a", "out-b"):
            order = app.place_order(outlet_id=outlet, lines=[line], placed_at=at(day, 5),
                                    key=f"o-{day}-{outlet}")
            picked = order["lines"][0]["reserved_pack_codes"]
            shipment = app.ship(order_id=order["order_id"], pack_codes=picked,
                                departed_at=at(day, 6), key=f"s-{day}-{outlet}")
            app.confirm_delivery(shipment_id=shipment["shipment_id"], received_at=at(day, 8),
                                 pack_codes=picked[:-1])
            app.sell_pack(outlet_id=outlet, pack_code=picked[0], sold_at=at(day, 10),
                          price_fen=1680)
        assert codes
        app.pay_farmer(farmer_id="zhang", amount_fen=5000, paid_at=at(day, 12), method="cash",
                       reference=f"pay-{day}")
    return app.recorder.max_notification_id() or 0


def volume(app: Gongxiao, farmers: int, *, corrections: int = 1, prefix: str = "v") -> int:
    """Many small aggregates with a few events each, saved in large transactions (fast);
    answers the last notification id."""
    for start in range(0, farmers, 500):
        batch = []
        for i in range(start, min(start + 500, farmers)):
            farmer = Farmer(farmer_id=f"{prefix}{i}", name="张德明", village="永安村", phone=None)
            for c in range(corrections):
                farmer.correct_details(name="张德明", village="永安村", phone=f"1380000{c:04d}")
            batch.append(farmer)
        app.save(*batch)
    return app.recorder.max_notification_id() or 0
