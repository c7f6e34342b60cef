"""Answers of the traceability view: the public GET /v1/trace/{code}, and for staff the
recalls and the batches on hold.

The public answer names a farmer by family name only (张**) with their village; it has no
phone (the view keeps a phone's last four digits, for staff picking a farmer) and no money.
A pack an outlet found in a delivery that did
not carry it says where and when (``unexpected_at``); a code that is no pack of ours has no trace.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from domain.batch import phi_verdict
from domain.product import Range
from projections.port import ViewDatabase
from projections.tables import celsius, kg, loads, moment, us
from projections.trace import export, recalls
from projections.trace.coldchain import produce_ranges
from projections.trace.recall import recall
from projections.trace.tables import holds


class TraceQueries:
    def __init__(self, db: ViewDatabase) -> None:
        self.db = db

    def trace(self, code: str) -> dict[str, Any] | None:
        """Backward from a pack or a batch code; None when the code is neither."""
        packs = self.db.fetch("SELECT * FROM trace_packs p JOIN trace_runs r ON r.run_id = p.run_id "
                              "WHERE p.pack_code = ?", [code])
        if packs:
            return self._pack(packs[0])
        batches = self._batches("batch_code = ?", [code])
        return self._batch(batches[0]) if batches else None

    def farmers(self) -> list[dict[str, Any]]:
        """Every registered farmer, for staff to pick one by name or phone: id, name, village,
        the last four digits of the phone."""
        return self.db.fetch("SELECT farmer_id, name, village, phone_tail FROM trace_farmers "
                             "ORDER BY farmer_id")

    def products(self) -> list[dict[str, Any]]:
        """Every registered product (produce and inputs) by its name: sku, name, kind."""
        return self.db.fetch("SELECT sku, name, kind FROM trace_products ORDER BY kind DESC, sku")

    def sites(self) -> list[dict[str, Any]]:
        """Every site by its name: site_id, name, kind."""
        return self.db.fetch("SELECT site_id, name, kind FROM trace_sites ORDER BY kind, site_id")

    def run_site(self, run_id: str) -> str | None:
        """The cold store a packing run packed at; None for a run the view has not met."""
        rows = self.db.fetch("SELECT site_id FROM trace_runs WHERE run_id = ?", [run_id])
        return rows[0]["site_id"] if rows else None

    def run_batches(self, run_id: str) -> list[str]:
        """The batches a packing run drew, in the order it drew them."""
        rows = self.db.fetch("SELECT batch_code FROM trace_draws WHERE run_id = ? "
                             "ORDER BY first_pack, batch_code", [run_id])
        return [r["batch_code"] for r in rows]

    def allowed_range(self, sku: str) -> Range:
        """The cold-room range a produce's details set; open at both ends for one unknown."""
        return produce_ranges(self.db, sku).get(sku, (None, None))

    def held(self) -> list[dict[str, Any]]:
        """Every batch on hold now, oldest harvest first, with the reasons it was held."""
        rows = self.db.fetch("SELECT batch_code, site_id, farmer_id, sku, harvested_us, holds "
                             "FROM trace_batches WHERE status = ? ORDER BY harvested_us, batch_code",
                             ["on_hold"])
        return [{"batch_code": r["batch_code"], "site_id": r["site_id"], "farmer_id": r["farmer_id"],
                 "sku": r["sku"], "harvested_at": moment(r["harvested_us"]),
                 "holds": loads(r["holds"]) or []} for r in rows]

    def recall(self, input_lot: str | None = None, batch_code: str | None = None) -> dict[str, Any]:
        """Forward from an input lot or a batch: every batch, pack, shipment and outlet reached."""
        return recall(self.db, input_lot=input_lot, batch_code=batch_code)

    def lineage(self, scope: dict[str, Any]) -> dict[str, Any]:
        """What a recall of ``scope`` takes: its packs (product, outlet) and batches."""
        return recalls.lineage(self.db, scope)

    def open_recalls(self, place: str | None = None) -> list[dict[str, Any]]:
        """Recalls not closed; for a place, with its pull list."""
        return recalls.open_recalls(self.db, place)

    def export(self, **scope: Any) -> dict[str, list[tuple[Any, ...]]]:
        """The sortable spreadsheet's rows, per critical tracking event (``export.SHEETS``)."""
        return export.export(self.db, **scope)

    def _pack(self, p: dict[str, Any]) -> dict[str, Any]:
        draws = [d for d in self.db.fetch("SELECT * FROM trace_draws WHERE run_id = ? "
                                          "ORDER BY batch_code", [p["run_id"]])
                 if holds(d, p["seq"])]
        batches = {b["batch_code"]: b for b in self._batches(
            f"batch_code IN ({', '.join('?' for _ in draws)})", [d["batch_code"] for d in draws])}
        sources = [self._source(batches[d["batch_code"]], kg(d["g"]), p["grade"]) for d in draws]
        shipment = self._shipment(p["shipment_id"])
        answer: dict[str, Any] = {
            "code": p["pack_code"], "kind": "pack", "product": self._product(p["sku"]),
            "grade": p["grade"], "pack_kg": kg(p["pack_g"]), "packed_at": moment(p["packed_us"]),
            "expires_at": moment(p["expires_us"]), "status": p["state"],
            "shelf_life": p["flag"] or "ok", "sources": sources,
            "cold_chain": self._cold_chain(p["site_id"], p["sku"],
                                           min(b["scanned_us"] for b in batches.values()),
                                           shipment["departed_us"] if shipment else None)}
        if p["outlet_id"] and p["state"] in ("at_outlet", "sold"):
            answer["outlet"] = {"site_id": p["outlet_id"], "name": self._site_name(p["outlet_id"])}
        if shipment:
            answer["shipment"] = {"departed_at": moment(shipment["departed_us"]),
                                  "delivered_at": moment(shipment["delivered_us"])}
        unexpected = self.db.fetch(
            "SELECT s.outlet_id, s.delivered_us FROM trace_unexpected u JOIN trace_shipments s "
            "ON s.shipment_id = u.shipment_id WHERE u.pack_code = ? "
            "ORDER BY s.delivered_us, s.outlet_id", [p["pack_code"]])
        recalled = recalls.banner(self.db, p["pack_code"])
        if recalled is not None:
            answer["recall"] = recalled
        if unexpected:
            answer["unexpected_at"] = [{"site_id": u["outlet_id"], "name": self._site_name(
                u["outlet_id"]), "delivered_at": moment(u["delivered_us"])} for u in unexpected]
        return answer

    def _batch(self, b: dict[str, Any]) -> dict[str, Any]:
        return {"code": b["batch_code"], "kind": "batch", "product": self._product(b["sku"]),
                "harvested_at": moment(b["harvested_us"]), "status": b["status"],
                "sources": [self._source(b, kg(b["net_g"]), None)],
                "cold_chain": self._cold_chain(b["site_id"], b["sku"], b["scanned_us"], None)}

    def _source(self, b: dict[str, Any], amount: Decimal, grade: str | None) -> dict[str, Any]:
        farmer = self.db.fetch("SELECT name, village FROM trace_farmers WHERE farmer_id = ?",
                               [b["farmer_id"]])
        grades = {g: Decimal(k) for g, k in (loads(b["grades"]) or {}).items()}
        return {
            "batch_code": b["batch_code"], "kg": amount,
            "farmer": {"display_name": mask(farmer[0]["name"]) if farmer else "**",
                       "village": farmer[0]["village"] if farmer else None},
            "harvested_at": moment(b["harvested_us"]),
            "intake": {"site_id": b["site_id"], "site": self._site_name(b["site_id"]),
                       "at": moment(b["scanned_us"]), "temperature_c": celsius(b["temperature_milli"])},
            "grading": None if b["graded_us"] is None else {
                "at": moment(b["graded_us"]), "grade_kg": grades.get(grade) if grade else None,
                "grades_kg": grades},
            "inputs_applied": self._inputs(b),
            "certificate": recalls.certificate(self.db, b["batch_code"])}

    def _inputs(self, b: dict[str, Any]) -> list[dict[str, Any]]:
        rows = self.db.fetch(
            "SELECT a.*, p.name FROM trace_applications a LEFT JOIN trace_products p ON p.sku = a.sku "
            "WHERE a.farmer_id = ? AND a.crop_sku = ? AND a.applied_us <= ? "
            "ORDER BY a.applied_us, a.application_id", [b["farmer_id"], b["sku"], b["harvested_us"]])
        harvested = moment(b["harvested_us"])
        answer = []
        for a in rows:
            applied = moment(a["applied_us"])
            assert applied is not None and harvested is not None
            phi = a["phi_days"]
            verdict = phi_verdict(harvested_at=harvested, applied_at=applied, phi_days=phi)
            answer.append({"product": a["name"] or a["sku"], "sku": a["sku"],
                           "active_ingredient": a["active_ingredient"], "lot": a["lot"],
                           "applied_at": applied, "phi_days": phi, "phi_ok": verdict != "inside"})
        return answer

    def _cold_chain(self, site_id: str, sku: str, since_us: int,
                    until_us: int | None) -> dict[str, Any]:
        """Readings of the site's rooms while the produce was there: from intake to departure."""
        until = until_us if until_us is not None else us(datetime.now(UTC))
        window = [site_id, since_us, until]
        readings = self.db.fetch("SELECT room, at_us, milli FROM trace_readings WHERE site_id = ? "
                                 "AND at_us >= ? AND at_us <= ? ORDER BY at_us, room", window)
        excursions = [x for x in self.db.fetch(
            "SELECT room, at_us, milli, skus FROM trace_excursions WHERE site_id = ? "
            "AND at_us >= ? AND at_us <= ? ORDER BY at_us, room", window) if sku in loads(x["skus"])]
        temps = [r["milli"] for r in readings]
        return {"readings": [_reading(r) for r in readings],
                "min_c": celsius(min(temps)) if temps else None,
                "max_c": celsius(max(temps)) if temps else None,
                "excursions": [_reading(x) for x in excursions]}

    def _batches(self, where: str, params: list[Any]) -> list[dict[str, Any]]:
        return self.db.fetch(f"SELECT * FROM trace_batches WHERE {where}", params)

    def _product(self, sku: str) -> dict[str, Any]:
        found = self.db.fetch("SELECT name FROM trace_products WHERE sku = ?", [sku])
        return {"sku": sku, "name": found[0]["name"] if found else sku}

    def _site_name(self, site_id: str) -> str:
        found = self.db.fetch("SELECT name FROM trace_sites WHERE site_id = ?", [site_id])
        return found[0]["name"] if found else site_id

    def _shipment(self, shipment_id: str | None) -> dict[str, Any] | None:
        if shipment_id is None:
            return None
        found = self.db.fetch("SELECT * FROM trace_shipments WHERE shipment_id = ?", [shipment_id])
        return found[0] if found else None


def mask(name: str) -> str:
    """A farmer's public name: the family name and a mask (张德明 → 张**)."""
    return (name[:1] + "**") if name else "**"


def _reading(r: dict[str, Any]) -> dict[str, Any]:
    return {"at": moment(r["at_us"]), "room": r["room"], "celsius": celsius(r["milli"])}
