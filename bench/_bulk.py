"""A bulk loader: the events of many days of the district, made by the same aggregate methods
the use cases call (receive, grade, add_lot, pack, reserve, ship, deliver, sell, pay), but
saving the events of many commands per ``app.save()`` call, in the order the use cases would
have stored them, instead of one command per call.

One cycle is one farmer's batch going the whole way: intake, grading into A and B lots, a
packing run of its 10 kg of grade A (20 packs of 0.5 kg, or ``packs`` packs), an order
reserving them, a shipment, its delivery (every 10th one pack short) and the retail sale of
every pack delivered — about 32 events; every 20th cycle adds a payment, a credit input sale
and a cold-room log. Before the first cycle each farmer records a fertilizer lot of their
own applied to the crop, so a recall by that lot reaches every batch of theirs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, uuid5

from domain.application import Gongxiao
from domain.batch import Batch
from domain.cold_room import ColdRoom
from domain.farmer import Farmer
from domain.input_sale import InputSale
from domain.order import Order
from domain.packing_run import PackingRun
from domain.shelf import Shelf
from domain.shipment import Shipment
from domain.stock import Stock
from domain.values import id_for
from tests.district import seed

T0 = datetime(2026, 1, 5, tzinfo=UTC)
SAVE_EVERY = 25  # cycles per save() call
FARMERS = 500


class Loader(Gongxiao):
    """The application without automatic snapshots (they are not in the notification log)."""

    name = "gongxiao"
    snapshotting_intervals: ClassVar = {}


def load(env: dict[str, str], events: int = 0, *, cycles: int = 0, packs: int = 20,
         minutes: int = 10) -> int:
    """Write at least ``events`` events and ``cycles`` cycles, one cycle every ``minutes``;
    answers how many events the log holds."""
    app = Loader(env=env)
    try:
        seed(app)
        farmers = [Farmer(farmer_id=f"bulk-{i:04d}", name=f"张{i}", village="永安村", phone=None)
                   for i in range(FARMERS)]
        for farmer in farmers:
            _apply_fertilizer(farmer)
        app.save(*farmers)
        coops = [Stock(sku="jiuhuang", grade=g) for g in ("A", "B")]
        stocks = {c.grade: Stock(sku="jiuhuang", grade=c.grade, site_id="yongan",
                                 held=c.open_site("yongan")) for c in coops}
        app.save(*coops)
        shelves = {o: Shelf(outlet_id=o) for o in ("out-a", "out-b")}
        room = ColdRoom(site_id="yongan", room="R1")
        cycle = 0
        while (app.recorder.max_notification_id() or 0) < events or cycle < cycles:
            pending: list[Any] = []
            for _ in range(SAVE_EVERY):
                pending += _cycle(cycle, farmers, stocks, shelves, room, packs, minutes)
                cycle += 1
            app.save(*pending)
            # Memory only, never recorded: what a shelf keeps for idempotency (sold packs) is
            # not needed by this script.
            for shelf in shelves.values():
                shelf.sold.clear()
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def lot_of(farmer_id: str) -> str:
    """The fertilizer lot a bulk farmer applied before every harvest of theirs."""
    return f"FH-{farmer_id}"


def _apply_fertilizer(farmer: Farmer) -> None:
    at = T0 - timedelta(days=1)
    lot = lot_of(farmer.farmer_id)
    key = f"{farmer.farmer_id}/fuhefei/{lot}/{at.isoformat()}/jiuhuang"  # as the use case keys it
    farmer.apply_input(application_id=str(id_for("application", key)), sku="fuhefei", lot=lot,
                       applied_at=at, crop_sku="jiuhuang", active_ingredient=None, phi_days=None)


def _cycle(n: int, farmers: list[Farmer], stocks: dict[str, Stock], shelves: dict[str, Shelf],
           room: ColdRoom, packs: int, minutes: int = 10) -> list[Any]:
    """The events of one cycle, in the order its commands would have stored them."""
    events: list[Any] = []

    def stored(*aggregates: Any) -> None:  # what one command's save() would have written
        for aggregate in aggregates:
            events.extend(aggregate.collect_events())

    t = T0 + timedelta(minutes=minutes * n)
    farmer = farmers[n % FARMERS]
    code = f"BULK-{n:08d}"
    batch = Batch.receive(batch_code=code, site_id="yongan", farmer_id=farmer.farmer_id,
                          sku="jiuhuang", harvested_at=t, net_kg=Decimal(100), crates=10,
                          temperature_c=Decimal("3.2"), scanned_at=t + timedelta(hours=1),
                          shelf_life_days=7, applications=farmer.applications_to("jiuhuang", t))
    stored(batch)
    batch.grade(graded_at=t + timedelta(hours=2), grades={"A": Decimal(10), "B": Decimal(80)},
                reject_kg=Decimal(5), price_fen_per_kg={"A": 1200, "B": 800})
    for grade, kg in (("A", Decimal(10)), ("B", Decimal(80))):
        stocks[grade].add_lot(batch_code=code, site_id="yongan", kg=kg, expires_at=batch.expires_at,
                              received_at=batch.scanned_at)
    stored(batch, stocks["A"], stocks["B"])
    stock = stocks["A"]
    pack_kg = (Decimal(10) / packs).quantize(Decimal("0.001"))  # the batch's 10 kg of grade A
    run_id = _id("run", n)
    stock.pack(run_id=run_id, site_id="yongan", pack_kg=pack_kg, count=packs,
               packed_at=t + timedelta(hours=3), sources=None)
    stored(PackingRun(id=run_id, site_id="yongan", sku="jiuhuang", grade="A", count=packs,
                      packed_at=t + timedelta(hours=3)), stock)
    outlet = ("out-a", "out-b")[n % 2]
    order_id = _id("order", n)
    codes = stock.reserve(order_id=order_id, pack_kg=pack_kg, packs=packs,
                          at=t + timedelta(hours=4))
    order = Order(id=order_id, outlet_id=outlet, placed_at=t + timedelta(hours=4), wanted_by=None,
                  lines=[{"sku": "jiuhuang", "grade": "A", "pack_kg": pack_kg,
                          "packs": packs, "reserved_pack_codes": codes}],
                  sites=dict.fromkeys(codes, "yongan"))
    stored(order, stock)
    shipment_id = _id("shipment", n)
    order.ship(shipment_id=str(shipment_id), pack_codes=codes)
    manifest = [{"pack_code": c, "sku": "jiuhuang", "grade": "A",
                 **{k: stock.packs[c][k] for k in ("pack_kg", "expires_at", "site_id")}} for c in codes]
    stock.dispatch(shipment_id=shipment_id, order_id=order_id, pack_codes=codes)
    shipment = Shipment(id=shipment_id, order_id=str(order_id), outlet_id=outlet, packs=manifest,
                        departed_at=t + timedelta(hours=5), vehicle="川A·冷001")
    stored(shipment, order, stock)
    arrived = codes[:-1] if n % 10 == 0 else codes
    delivery = shipment.deliver(received_at=t + timedelta(hours=7), pack_codes=arrived)
    shelf = shelves[outlet]
    shelf.stock(shipment_id=str(shipment_id),
                packs=[p for p in manifest if p["pack_code"] in delivery["received"]])
    stored(shipment, shelf)
    for i, c in enumerate(delivery["received"]):
        shelf.sell(pack_code=c, sold_at=t + timedelta(hours=8, minutes=i), price_fen=1680)
        stored(shelf)
    if n % 20 == 0:
        farmer.pay(amount_fen=5000, paid_at=t, method="bank_transfer", reference=f"BULK-P{n}")
        stored(farmer, InputSale.record(sale_id=_id("sale", n), shop_id="shop",
                                        farmer_id=farmer.farmer_id, sold_at=t, payment="credit",
                                        lines=[{"sku": "fuhefei", "lot": f"FH-{n // 1000}",
                                                "quantity": 1, "unit_price_fen": 16500}]))
        room.log(readings=[{"at": t + timedelta(minutes=m), "celsius": Decimal("2.8")}
                           for m in range(0, 200, 20)], ranges={"jiuhuang": (Decimal(0), Decimal(4))})
        stored(room)
    return events


def _id(kind: str, n: int) -> Any:
    return uuid5(NAMESPACE_URL, f"gongxiao-bulk/{kind}/{n}")
