"""Answers of the stock view: GET /v1/stock and GET /v1/catalog, from indexed tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from projections.port import ViewDatabase
from projections.tables import kg, moment, us

IN_COLD_STORE = ("available", "reserved")


class StockQueries:
    def __init__(self, db: ViewDatabase) -> None:
        self.db = db

    def levels(self, site_id: str | None = None, sku: str | None = None,
               grade: str | None = None) -> list[dict[str, Any]]:
        """Per cold store, product and grade: graded kg unpacked and where every pack is, and
        how many of its packs each outlet scanned at a delivery that did not carry them."""
        where, params = _filters(site_id=site_id, sku=sku, grade=grade)
        rows = self.db.fetch(f"SELECT * FROM stock_levels{where} ORDER BY site_id, sku, grade", params)
        dates = {(r["site_id"], r["sku"], r["grade"]): r for r in self.db.fetch(
            "SELECT site_id, sku, grade, MIN(packed_us) AS oldest, MIN(expires_us) AS nearest "
            f"FROM stock_packs{_and(where, 'state IN (?, ?)')} GROUP BY site_id, sku, grade",
            [*params, *IN_COLD_STORE])}
        outlets = _by_outlet(self.db.fetch(
            f"SELECT * FROM stock_outlets{_and(where, 'packs > 0')}", params))
        unexpected = _by_outlet(self.db.fetch(
            "SELECT p.site_id, p.sku, p.grade, u.outlet_id, COUNT(DISTINCT u.pack_code) AS packs "
            f"FROM stock_unexpected u JOIN stock_packs p ON p.pack_code = u.pack_code{where} "
            "GROUP BY p.site_id, p.sku, p.grade, u.outlet_id", params))
        answer = []
        for r in rows:
            key = (r["site_id"], r["sku"], r["grade"])
            when = dates.get(key, {})
            answer.append({
                "site_id": r["site_id"], "sku": r["sku"], "grade": r["grade"],
                "graded_kg_unpacked": kg(r["unpacked_g"]), "packs_available": r["available"],
                "packs_reserved": r["reserved"], "packs_in_transit": r["in_transit"],
                "packs_at_outlets": r["at_outlets"], "packs_sold": r["sold"],
                "packs_missing": r["missing"], "packs_expired": r["expired"],
                "packs_pulled": r["pulled"], "packs_quarantined": r["quarantined"],
                "packs_destroyed": r["destroyed"], "packs_recalled": r["recalled"],
                "at_outlets": outlets.get(key, {}),
                "unexpected_at_outlets": unexpected.get(key, {}),
                "oldest_packed_at": moment(when.get("oldest")),
                "nearest_expiry": moment(when.get("nearest"))})
        return answer

    def catalog(self, site_id: str | None = None, *,
                now: datetime | None = None) -> list[dict[str, Any]]:
        """What an outlet can order: unreserved packs not past (nor flagged past) shelf life.

        ``site_id`` naming a cold store lists its packs only; an outlet orders from every
        cold store, so an outlet's id (or none) lists them all."""
        params: list[Any] = ["available", "expired", us(now or datetime.now(UTC))]
        at_site = ""
        if site_id is not None and self._is_cold_store(site_id):
            at_site, params = " AND p.site_id = ?", [*params, site_id]
        rows = self.db.fetch(
            "SELECT p.sku, p.grade, p.pack_g, COUNT(*) AS packs, MIN(p.expires_us) AS nearest, "
            "MAX(n.name) AS name FROM stock_packs p LEFT JOIN stock_products n ON n.sku = p.sku "
            f"WHERE p.state = ? AND p.flag <> ? AND p.expires_us > ?{at_site} "
            "GROUP BY p.sku, p.grade, p.pack_g ORDER BY p.sku, p.grade, p.pack_g", params)
        return [{"sku": r["sku"], "name": r["name"] or r["sku"], "grade": r["grade"],
                 "pack_kg": kg(r["pack_g"]), "packs_available": r["packs"],
                 "nearest_expiry": moment(r["nearest"])} for r in rows]

    def _is_cold_store(self, site_id: str) -> bool:
        found = self.db.fetch("SELECT kind FROM stock_sites WHERE site_id = ?", [site_id])
        return not found or found[0]["kind"] == "cold_store"


def _by_outlet(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, int]]:
    """Packs per outlet, under the (site, sku, grade) of their level."""
    answer: dict[tuple[str, str, str], dict[str, int]] = {}
    for r in rows:
        answer.setdefault((r["site_id"], r["sku"], r["grade"]), {})[r["outlet_id"]] = r["packs"]
    return answer


def _filters(**values: str | None) -> tuple[str, list[Any]]:
    given = {k: v for k, v in values.items() if v is not None}
    if not given:
        return "", []
    return " WHERE " + " AND ".join(f"{k} = ?" for k in given), list(given.values())


def _and(where: str, condition: str) -> str:
    return f"{where} AND {condition}" if where else f" WHERE {condition}"
