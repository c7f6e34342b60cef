"""The 24-hour sortable spreadsheet: one sheet per critical tracking event, one row per lot line.

The layout follows FSMA 204's electronic sortable spreadsheet: each row carries the
traceability lot code and its source, the product split into columns, quantity and unit, the
locations split into name / phone / address, the dates, and the reference document's type and
number. The traceability lot code of produce is its harvest batch until it is packed, then the
packing run (the packs' codes begin with it). Grading is the transformation: a batch turned
into graded kilograms per grade and reject.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from projections.port import ViewDatabase
from projections.tables import kg, loads, moment, us
from projections.trace.recall import many

LOT = [("traceability_lot_code", "追溯批次码"), ("traceability_lot_code_source", "批次码来源")]
PRODUCT = [("product_sku", "产品编码"), ("product_name", "产品名称"), ("grade", "等级")]
QTY = [("quantity", "数量"), ("unit_of_measure", "单位")]
REF = [("reference_document_type", "单据类型"), ("reference_document_number", "单据号")]


def _place(role: str, zh: str) -> list[tuple[str, str]]:
    return [(f"{role}_location_name", f"{zh}名称"), (f"{role}_location_phone", f"{zh}电话"),
            (f"{role}_location_address", f"{zh}地址")]


SHEETS: dict[str, list[tuple[str, str]]] = {
    "harvesting": [*LOT, *PRODUCT, *QTY, *_place("farm", "产地"), ("harvest_date", "采收日期"),
                   *REF],
    "cooling": [*LOT, *PRODUCT, *QTY, *_place("cooling", "冷库"), ("cooling_date", "入库日期"),
                ("temperature_c", "入库温度(°C)"), *REF],
    "initial_packing": [*LOT, ("input_lot_code", "原料批次码"), *PRODUCT, *QTY,
                        ("input_quantity_kg", "原料用量(kg)"), *_place("packing", "包装地"),
                        ("packing_date", "包装日期"), *REF],
    "shipping": [*LOT, *PRODUCT, *QTY, *_place("ship_from", "发货地"),
                 *_place("ship_to", "收货地"), ("ship_date", "发货日期"), *REF],
    "receiving": [*LOT, *PRODUCT, *QTY, *_place("receiving", "收货地"),
                  *_place("previous_source", "上一来源"), ("receive_date", "收货日期"), *REF],
    "transformation": [*LOT, ("new_lot_code", "新批次码"), *PRODUCT, *QTY,
                       *_place("transformation", "加工地"), ("transformation_date", "加工日期"),
                       *REF],
}


def export(db: ViewDatabase, *, lot: str | None = None, sku: str | None = None,
           start: datetime | None = None, end: datetime | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of every sheet for a lot code (batch or packing run), or a product and/or a
    date range (harvests, intakes and runs inside it)."""
    batches, runs = _scope(db, lot, sku, start, end)
    sites = {s["site_id"]: s for s in db.fetch("SELECT site_id, name FROM trace_sites", [])}
    names = {p["sku"]: p["name"] for p in db.fetch("SELECT sku, name FROM trace_products", [])}
    farmers = {f["farmer_id"]: f for f in db.fetch("SELECT farmer_id, name, village FROM "
                                                   "trace_farmers", [])}

    def site(site_id: str | None) -> tuple[Any, ...]:
        return ((sites.get(site_id) or {}).get("name", site_id), None, site_id)

    def product(sku_: str, grade: str | None) -> tuple[Any, ...]:
        return (sku_, names.get(sku_, sku_), grade)

    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in SHEETS}
    for b in batches:
        farmer = farmers.get(b["farmer_id"]) or {}
        lot_ = (b["batch_code"], b["site_id"])
        net = kg(b["net_g"])
        rows["harvesting"].append((*lot_, *product(b["sku"], None), net, "kg",
                                   farmer.get("name"), None, farmer.get("village"),
                                   moment(b["harvested_us"]), "intake scan", b["batch_code"]))
        rows["cooling"].append((*lot_, *product(b["sku"], None), net, "kg", *site(b["site_id"]),
                                moment(b["scanned_us"]),
                                None if b["temperature_milli"] is None
                                else b["temperature_milli"] / 1000, "intake scan", b["batch_code"]))
        for grade, amount in (_grades(b["grades"]) if b["grades"] else {}).items():
            rows["transformation"].append((*lot_, b["batch_code"], *product(b["sku"], grade),
                                           amount, "kg", *site(b["site_id"]),
                                           moment(b["graded_us"]), "grading", b["batch_code"]))
    run_ids = [r["run_id"] for r in runs]
    draws: dict[str, list[dict[str, Any]]] = {}
    for d in many(db, "SELECT run_id, batch_code, g FROM trace_draws WHERE {}", "run_id",
                  run_ids):
        draws.setdefault(d["run_id"], []).append(d)
    by_run = {r["run_id"]: r for r in runs}
    for r in runs:
        for d in sorted(draws.get(r["run_id"], []), key=lambda d: d["batch_code"]):
            rows["initial_packing"].append((
                r["run_id"], r["site_id"], d["batch_code"], *product(r["sku"], r["grade"]),
                r["packs"], f"pack of {kg(r['pack_g'])} kg", kg(d["g"]), *site(r["site_id"]),
                moment(r["packed_us"]), "packing run", r["run_id"]))
    for s in many(db, "SELECT p.run_id, p.shipment_id, COUNT(*) AS packs, SUM(CASE WHEN p.state "
                      "IN ('at_outlet', 'sold') THEN 1 ELSE 0 END) AS received, s.outlet_id, "
                      "s.departed_us, s.delivered_us FROM trace_packs p JOIN trace_shipments s "
                      "ON s.shipment_id = p.shipment_id WHERE {} "
                      "GROUP BY p.run_id, p.shipment_id, s.outlet_id, s.departed_us, "
                      "s.delivered_us", "p.run_id", run_ids):
        r = by_run[s["run_id"]]
        unit = f"pack of {kg(r['pack_g'])} kg"
        rows["shipping"].append((r["run_id"], r["site_id"], *product(r["sku"], r["grade"]),
                                 s["packs"], unit, *site(r["site_id"]), *site(s["outlet_id"]),
                                 moment(s["departed_us"]), "shipment", s["shipment_id"]))
        if s["delivered_us"] is not None:
            rows["receiving"].append((r["run_id"], r["site_id"], *product(r["sku"], r["grade"]),
                                      s["received"], unit, *site(s["outlet_id"]),
                                      *site(r["site_id"]), moment(s["delivered_us"]),
                                      "delivery", s["shipment_id"]))
    for name in rows:
        rows[name].sort(key=lambda row: (str(row[0]), str(row[-1])))
    return rows


def _scope(db: ViewDatabase, lot: str | None, sku: str | None, start: datetime | None,
           end: datetime | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if lot is not None:
        runs = db.fetch("SELECT * FROM trace_runs WHERE run_id = ?", [lot])
        if runs:
            codes = [d["batch_code"] for d in db.fetch(
                "SELECT batch_code FROM trace_draws WHERE run_id = ?", [lot])]
        else:
            codes = [lot]
            runs = db.fetch("SELECT r.* FROM trace_runs r JOIN trace_draws d ON d.run_id = "
                            "r.run_id WHERE d.batch_code = ? ORDER BY r.run_id", [lot])
        return many(db, "SELECT * FROM trace_batches WHERE {}", "batch_code", codes), runs
    where, params = ["1 = 1"], []
    if sku is not None:
        where.append("sku = ?")
        params.append(sku)
    window = (us(start) if start else 0, us(end) if end else 2**62)
    batches = db.fetch(f"SELECT * FROM trace_batches WHERE {' AND '.join(where)} AND "
                       "scanned_us >= ? AND scanned_us <= ? ORDER BY batch_code", [*params, *window])
    runs = db.fetch(f"SELECT * FROM trace_runs WHERE {' AND '.join(where)} AND packed_us >= ? "
                    "AND packed_us <= ? ORDER BY run_id", [*params, *window])
    return batches, runs


def _grades(text: str) -> dict[str, Decimal]:
    return {g: Decimal(k) for g, k in (loads(text) or {}).items()}
