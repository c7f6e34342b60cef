"""Cold-room checks from the traceability view: readings against the products' ranges."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.product import Range, outside_range
from projections.port import ViewDatabase
from projections.tables import celsius, loads, moment, us


class ColdChainQueries:
    def __init__(self, db: ViewDatabase) -> None:
        self.db = db

    def check(self, *, now: datetime, window: timedelta,
              stale_after: timedelta) -> list[dict[str, Any]]:
        """Per cold room: its last reading (stale when too old), and every reading of the last
        ``window`` outside a product's range, each said to be recorded as an excursion or not."""
        ranges = produce_ranges(self.db)
        since = us(now - window)
        answer = []
        for room in self.db.fetch("SELECT site_id, room, MAX(at_us) AS last FROM trace_readings "
                                  "GROUP BY site_id, room ORDER BY site_id, room"):
            place = [room["site_id"], room["room"], since]
            recorded = {x["at_us"]: sorted(loads(x["skus"])) for x in self.db.fetch(
                "SELECT at_us, skus FROM trace_excursions WHERE site_id = ? AND room = ? "
                "AND at_us >= ?", place)}
            found = []
            for r in self.db.fetch("SELECT at_us, milli FROM trace_readings WHERE site_id = ? "
                                   "AND room = ? AND at_us >= ? ORDER BY at_us", place):
                reading = celsius(r["milli"])
                assert reading is not None
                skus = sorted(sku for sku, allowed in ranges.items()
                              if outside_range(reading, allowed))
                if skus:
                    found.append({"at": moment(r["at_us"]), "celsius": reading,
                                  "skus": skus, "recorded": recorded.get(r["at_us"]) == skus})
            last = moment(room["last"])
            assert last is not None
            answer.append({"site_id": room["site_id"], "room": room["room"], "last_reading_at": last,
                           "stale": now - last > stale_after, "excursions": found,
                           "unrecorded": sum(1 for x in found if not x["recorded"])})
        return answer


def produce_ranges(db: ViewDatabase, sku: str | None = None) -> dict[str, Range]:
    """The allowed range of every produce (or of one), as the products' details set it."""
    rows = db.fetch("SELECT sku, temp_min_milli, temp_max_milli FROM trace_products "
                    "WHERE kind = ?" + (" AND sku = ?" if sku else ""),
                    ["produce", sku] if sku else ["produce"])
    return {r["sku"]: (celsius(r["temp_min_milli"]), celsius(r["temp_max_milli"])) for r in rows}
