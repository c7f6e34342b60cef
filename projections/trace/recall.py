"""Recall, forward: from an input lot or a batch to every batch, pack, shipment and outlet.

An input application reaches every batch of that farmer and crop harvested on or after it
was applied; a batch reaches the packs that hold it: those of the packing runs that drew from
it, all of a mixed run's, only its own of a run that took batches one after the other.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from projections.port import ViewDatabase
from projections.tables import moment
from projections.trace.tables import holds

CHUNK = 500


def reach(db: ViewDatabase, *, input_lot: str | None, batch_code: str | None) -> tuple[
        dict[str, dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Forward from an input lot or a batch: the farmers who bought or applied the lot, the
    batches reached, and the packs that hold them by pack code (with their run's product and
    cold store, and ``batch_codes``: the reached batches each holds). A recall opens on these
    alone (``recalls.lineage``)."""
    farmers: dict[str, dict[str, Any]] = {}
    batches: list[dict[str, Any]] = []
    if input_lot is not None:
        for sale in db.fetch("SELECT DISTINCT farmer_id FROM trace_input_sales WHERE lot = ?",
                             [input_lot]):
            farmers.setdefault(sale["farmer_id"], {"bought": True, "applied": False})
        for a in db.fetch("SELECT farmer_id, crop_sku, MIN(applied_us) AS since FROM "
                          "trace_applications WHERE lot = ? GROUP BY farmer_id, crop_sku",
                          [input_lot]):
            farmers.setdefault(a["farmer_id"], {"bought": False, "applied": False})["applied"] = True
            batches += db.fetch("SELECT * FROM trace_batches WHERE farmer_id = ? AND sku = ? "
                                "AND harvested_us >= ?", [a["farmer_id"], a["crop_sku"], a["since"]])
    if batch_code is not None:
        batches += db.fetch("SELECT * FROM trace_batches WHERE batch_code = ?", [batch_code])
    codes = sorted({b["batch_code"] for b in batches})
    draws = many(db, "SELECT * FROM trace_draws WHERE {}", "batch_code", codes)
    by_run: dict[str, list[dict[str, Any]]] = {}
    for d in draws:
        by_run.setdefault(d["run_id"], []).append(d)
    packs = []
    for p in many(db, "SELECT p.pack_code, p.run_id, p.seq, p.state, p.order_id, p.shipment_id, "
                      "p.outlet_id, p.sold_us, r.sku, r.grade, r.site_id FROM trace_packs p JOIN "
                      "trace_runs r ON r.run_id = p.run_id WHERE {}", "p.run_id", sorted(by_run)):
        p["batch_codes"] = sorted(d["batch_code"] for d in by_run[p["run_id"]] if holds(d, p["seq"]))
        if p["batch_codes"]:
            packs.append(p)
    return farmers, batches, sorted(packs, key=lambda p: p["pack_code"])


def recall(db: ViewDatabase, *, input_lot: str | None, batch_code: str | None) -> dict[str, Any]:
    farmers, batches, packs = reach(db, input_lot=input_lot, batch_code=batch_code)
    shipments = many(db, "SELECT * FROM trace_shipments WHERE {}", "shipment_id",
                      sorted({p["shipment_id"] for p in packs if p["shipment_id"]}))
    farmer_ids = sorted({*farmers, *(b["farmer_id"] for b in batches)})
    names = {f["farmer_id"]: f for f in many(
        db, "SELECT farmer_id, name, village FROM trace_farmers WHERE {}", "farmer_id", farmer_ids)}
    outlets: dict[str, dict[str, int]] = {}
    for p in packs:
        if p["outlet_id"] and p["state"] in ("at_outlet", "sold", "missing"):
            counts = outlets.setdefault(p["outlet_id"], {"at_outlet": 0, "sold": 0, "missing": 0})
            counts[p["state"]] += 1
    by_state = Counter(p["state"] for p in packs)
    shipped = Counter(p["shipment_id"] for p in packs)
    return {
        "input_lot": input_lot, "batch_code": batch_code,
        "farmers": [{"farmer_id": f, "name": names.get(f, {}).get("name"),
                     "village": names.get(f, {}).get("village"), **farmers.get(f, {})}
                    for f in farmer_ids],
        "batches": [{"batch_code": b["batch_code"], "farmer_id": b["farmer_id"], "sku": b["sku"],
                     "site_id": b["site_id"], "harvested_at": moment(b["harvested_us"]),
                     "status": b["status"]} for b in sorted(
                         {b["batch_code"]: b for b in batches}.values(), key=lambda b: b["batch_code"])],
        "packs": [{"pack_code": p["pack_code"], "sku": p["sku"], "grade": p["grade"],
                   "run_id": p["run_id"], "batch_codes": p["batch_codes"],
                   "site_id": p["site_id"], "status": p["state"], "order_id": p["order_id"],
                   "shipment_id": p["shipment_id"], "outlet_id": p["outlet_id"],
                   "sold_at": moment(p["sold_us"])}
                  for p in packs],
        "shipments": [{"shipment_id": s["shipment_id"], "order_id": s["order_id"],
                       "outlet_id": s["outlet_id"], "departed_at": moment(s["departed_us"]),
                       "delivered_at": moment(s["delivered_us"]),
                       "packs": shipped[s["shipment_id"]]}
                      for s in sorted(shipments, key=lambda s: s["departed_us"])],
        "outlets": [{"site_id": o, "name": _site_name(db, o), "packs": counts}
                    for o, counts in sorted(outlets.items())],
        "packs_by_status": dict(sorted(by_state.items()))}


def many(db: ViewDatabase, sql: str, column: str, values: list[Any]) -> list[dict[str, Any]]:
    """The rows of ``sql`` whose ``{}`` is "``column`` is one of ``values``", read a chunk of
    values at a time."""
    rows: list[dict[str, Any]] = []
    for i in range(0, len(values), CHUNK):
        where, params = db.one_of(column, values[i:i + CHUNK])
        rows += db.fetch(sql.format(where), params)
    return rows


def _site_name(db: ViewDatabase, site_id: str) -> str:
    found = db.fetch("SELECT name FROM trace_sites WHERE site_id = ?", [site_id])
    return found[0]["name"] if found else site_id
