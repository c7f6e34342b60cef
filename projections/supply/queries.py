"""Answers of the supply view: GET /v1/input-stock, the holders of a lot (for a recall) and
GET /v1/reports/pesticide-supply (农药统供率)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from projections.port import ViewDatabase
from projections.tables import kg, us

ON_HAND_G = "(purchased_g + in_g - out_g - sold_g)"


class SupplyQueries:
    def __init__(self, db: ViewDatabase) -> None:
        self.db = db

    def stock(self, site_id: str | None = None, sku: str | None = None,
              lot: str | None = None) -> list[dict[str, Any]]:
        """Per site, product and lot: quantity on hand and its cost, and how it got there —
        purchased, transferred in and out, sold and the cost of what was sold."""
        where, params = _where(site_id=site_id, sku=sku, lot=lot)
        rows = self.db.fetch(f"SELECT * FROM supply_lots{where} ORDER BY site_id, sku, lot", params)
        return [{"site_id": r["site_id"], "sku": r["sku"], "lot": r["lot"],
                 "on_hand": kg(r["purchased_g"] + r["in_g"] - r["out_g"] - r["sold_g"]),
                 "on_hand_cost_fen": (r["purchased_fen"] + r["in_fen"] - r["out_fen"]
                                      - r["cogs_fen"]),
                 "purchased": kg(r["purchased_g"]), "purchased_cost_fen": r["purchased_fen"],
                 "transferred_in": kg(r["in_g"]), "transferred_out": kg(r["out_g"]),
                 "sold": kg(r["sold_g"]), "cogs_fen": r["cogs_fen"]} for r in rows]

    def holders(self, sku: str, lot: str) -> list[dict[str, Any]]:
        """The sites that hold some of a lot now (a recall reaches their shelves), with how
        much; sites that sold or sent it all are not listed."""
        rows = self.db.fetch(f"SELECT site_id, {ON_HAND_G} AS g FROM supply_lots "
                             f"WHERE sku = ? AND lot = ? AND {ON_HAND_G} > 0 ORDER BY site_id",
                             [sku, lot])
        return [{"site_id": r["site_id"], "on_hand": kg(r["g"])} for r in rows]

    def pesticide_supply(self, from_: datetime, to: datetime) -> dict[str, Any]:
        """农药统供率: of the pesticide applications recorded in ``[from_, to)``, the share
        whose lot a co-op shop sold, per area (the farmer's village) and overall."""
        rows = self.db.fetch(
            "SELECT a.village, COUNT(*) AS applications, COUNT(s.lot) AS supplied "
            "FROM supply_applications a "
            "JOIN supply_products p ON p.sku = a.sku AND p.input_class = ? "
            "LEFT JOIN supply_sold_lots s ON s.sku = a.sku AND s.lot = a.lot "
            "WHERE a.applied_us >= ? AND a.applied_us < ? GROUP BY a.village ORDER BY a.village",
            ["pesticide", us(from_), us(to)])
        areas = [_share(r["applications"], r["supplied"], area=r["village"]) for r in rows]
        overall = _share(sum(a["applications"] for a in areas),
                         sum(a["supplied"] for a in areas))
        return {"from": from_, "to": to, **overall, "areas": areas}


def _share(applications: int, supplied: int, **area: str) -> dict[str, Any]:
    rate = (None if not applications else
            (Decimal(supplied) / applications).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
    return {**area, "applications": applications, "supplied": supplied, "rate": rate}


def _where(**filters: str | None) -> tuple[str, list[Any]]:
    chosen = {k: v for k, v in filters.items() if v is not None}
    if not chosen:
        return "", []
    return " WHERE " + " AND ".join(f"{k} = ?" for k in chosen), list(chosen.values())
