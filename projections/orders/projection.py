"""Outlet orders: one summary row per order, its status following shipments and cancelling."""

from __future__ import annotations

from typing import Any

from projections.base import Projection, Rows, on
from projections.tables import dumps, loads, table, us

ORDERS = table("order_summaries", "order_id outlet_id status placed_us:int wanted_us:int lines "
               "ordered:int shipped:int shipment_ids cancelled_us:int", key="order_id",
               indexes=("outlet_id status placed_us", "status placed_us"))


def _order(e: Any) -> list[tuple[Any, tuple[str]]]:
    return [(ORDERS, (str(e.originator_id),))]


class OrdersProjection(Projection):
    name = "orders"
    by_aggregate = True
    tables = (ORDERS,)

    @on("Order.Placed", creates=_order)
    def placed(self, e: Any, rows: Rows, _: int) -> None:
        lines = [{"sku": x["sku"], "grade": x["grade"], "pack_kg": str(x["pack_kg"]),
                  "packs": x["packs"]} for x in e.lines]
        rows.put(ORDERS, {"order_id": str(e.originator_id), "outlet_id": e.outlet_id,
                          "status": "placed", "placed_us": us(e.placed_at),
                          "wanted_us": us(e.wanted_by), "lines": dumps(lines),
                          "ordered": sum(len(x["reserved_pack_codes"]) for x in e.lines),
                          "shipped": 0, "shipment_ids": dumps([]), "cancelled_us": None})

    @on("Order.Shipped", needs=_order)
    def shipped(self, e: Any, rows: Rows, _: int) -> None:
        order = rows.get(ORDERS, (str(e.originator_id),))
        assert order is not None
        shipped = order["shipped"] + len(e.pack_codes)
        rows.put(ORDERS, {**order, "shipped": shipped,
                          "status": "shipped" if shipped >= order["ordered"] else "partially_shipped",
                          "shipment_ids": dumps([*loads(order["shipment_ids"]), e.shipment_id])})

    @on("Order.Cancelled", needs=_order)
    def cancelled(self, e: Any, rows: Rows, _: int) -> None:
        order = rows.get(ORDERS, (str(e.originator_id),))
        assert order is not None
        rows.put(ORDERS, {**order, "status": "cancelled", "cancelled_us": us(e.cancelled_at)})
