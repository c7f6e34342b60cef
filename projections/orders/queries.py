"""Answers of the orders view: GET /v1/orders?outlet_id=&status= (order summaries)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from domain.order import order_code
from projections.port import ViewDatabase
from projections.tables import loads, moment


class OrderQueries:
    def __init__(self, db: ViewDatabase) -> None:
        self.db = db

    def list(self, outlet_id: str | None = None, status: str | None = None,
             limit: int = 500) -> list[dict[str, Any]]:
        """Newest first. Status: placed, partially_shipped, shipped or cancelled."""
        given = {k: v for k, v in (("outlet_id", outlet_id), ("status", status)) if v is not None}
        where = (" WHERE " + " AND ".join(f"{k} = ?" for k in given)) if given else ""
        rows = self.db.fetch(f"SELECT * FROM order_summaries{where} "
                             "ORDER BY placed_us DESC, order_id LIMIT ?", [*given.values(), limit])
        return [{"order_id": r["order_id"], "order_code": order_code(r["order_id"]),
                 "outlet_id": r["outlet_id"], "status": r["status"],
                 "placed_at": moment(r["placed_us"]), "wanted_by": moment(r["wanted_us"]),
                 "cancelled_at": moment(r["cancelled_us"]),
                 "lines": [{**x, "pack_kg": Decimal(x["pack_kg"])} for x in loads(r["lines"])],
                 "packs_ordered": r["ordered"], "packs_shipped": r["shipped"],
                 "shipment_ids": loads(r["shipment_ids"])} for r in rows]

    def ids_with_code(self, code: str) -> Sequence[str]:
        """The ids of the orders whose short code (``domain.order.order_code``) is this one."""
        rows = self.db.fetch("SELECT order_id FROM order_summaries WHERE order_id LIKE ? "
                             "ORDER BY order_id LIMIT 2", [code.lower() + "%"])
        return [r["order_id"] for r in rows]
