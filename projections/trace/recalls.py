"""Recalls in the traceability view: the lineage a recall opens on, the banner of a recalled
pack, the open recalls and each place's pull list; and a batch's compliance certificate.

The lineage of a recall is whole-run: a pack reaches every batch its packing run drew from
(``trace_draws``); a run's per-pack lineage, once recorded, narrows ``_run_packs`` only.
"""

from __future__ import annotations

from typing import Any

from domain.recall_register import WHAT_TO_DO
from projections.port import ViewDatabase
from projections.tables import kg, loads, moment, us
from projections.trace.recall import many, reach

PACKS = ("SELECT p.pack_code, p.outlet_id, p.state, p.sold_us, r.sku, r.grade FROM trace_packs p "
         "JOIN trace_runs r ON r.run_id = p.run_id WHERE ")


def lineage(db: ViewDatabase, scope: dict[str, Any]) -> dict[str, Any]:
    """The packs (with product and the outlet they went to) and batches a scope reaches."""
    kind = scope["kind"]
    if kind in ("input_lot", "batch"):  # what the recall query reaches, without its report
        _, batches, packs = reach(db, input_lot=scope.get("input_lot"),
                                  batch_code=scope.get("batch_code"))
        return {"packs": [_line(p) for p in packs],
                "batch_codes": sorted({b["batch_code"] for b in batches})}
    if kind == "packing_run":
        packs = db.fetch(PACKS + "p.run_id = ?", [scope["run_id"]])
        return {"packs": [_line(p) for p in packs], "batch_codes": []}
    if kind == "packs":
        return {"packs": [_line(p) for p in many(db, PACKS + "{}", "p.pack_code",
                                                  sorted(set(scope["pack_codes"])))],
                "batch_codes": []}
    return _excursion(db, scope)


def banner(db: ViewDatabase, pack_code: str) -> dict[str, Any] | None:
    """The recall a buyer must be told of (drills are not told), newest first."""
    found = db.fetch("SELECT r.recall_id, r.reason, r.level, r.opened_us, r.closed_us FROM "
                     "trace_recalled d JOIN trace_recalls r ON r.recall_id = d.recall_id WHERE "
                     "d.pack_code = ? AND r.drill = 0 ORDER BY r.opened_us DESC", [pack_code])
    if not found:
        return None
    r = found[0]
    return {"recall_id": r["recall_id"], "reason": r["reason"], "level": r["level"],
            "opened_at": moment(r["opened_us"]), "what_to_do": WHAT_TO_DO}


def certificate(db: ViewDatabase, batch_code: str) -> dict[str, Any] | None:
    """The batch's 承诺达标合格证, or None before its first packing."""
    found = db.fetch("SELECT * FROM trace_certificates WHERE batch_code = ?", [batch_code])
    if not found:
        return None
    c = found[0]
    return {"batch_code": batch_code, "product": c["product"], "quantity_kg": kg(c["quantity_g"]),
            "village": c["village"], "farmer": c["farmer"], "issuer": c["issuer"],
            "issued_at": moment(c["issued_us"]), "promises": loads(c["promises"]),
            "basis": loads(c["basis"])}


def open_recalls(db: ViewDatabase, place: str | None = None) -> list[dict[str, Any]]:
    """Recalls not closed, newest first; for a place, only those with packs there, and the
    packs it still has to pull or quarantine (its pull list)."""
    answer = []
    for r in db.fetch("SELECT * FROM trace_recalls WHERE closed_us IS NULL "
                      "ORDER BY opened_us DESC, recall_id", []):
        packs = db.fetch("SELECT pack_code, sku, grade, place, state, fate FROM trace_recalled "
                         "WHERE recall_id = ? ORDER BY pack_code", [r["recall_id"]])
        here = [p for p in packs if place is None or p["place"] == place]
        if place is not None and not here:
            continue
        answer.append({
            "recall_id": r["recall_id"], "kind": r["kind"], "reason": r["reason"],
            "level": r["level"], "drill": bool(r["drill"]), "opened_at": moment(r["opened_us"]),
            "affected": len(here), "outstanding": sum(p["fate"] is None for p in here),
            "to_pull": [{"pack_code": p["pack_code"], "sku": p["sku"], "grade": p["grade"],
                         "state": p["state"]} for p in here if p["fate"] is None]})
    return answer


def _line(p: dict[str, Any]) -> dict[str, Any]:
    return {"pack_code": p["pack_code"], "sku": p["sku"], "grade": p["grade"],
            "outlet_id": p["outlet_id"], "state": p.get("state") or p.get("status"),
            "sold_at": p["sold_at"] if "sold_at" in p else moment(p["sold_us"])}


def _excursion(db: ViewDatabase, scope: dict[str, Any]) -> dict[str, Any]:
    """What was in the cold store while a room left a product's range: the packs there then
    (packed before the window ended, not gone before it began) and the batches taken in."""
    start, end = us(scope["start"]), us(scope["end"])
    skus: set[str] = set()
    for x in db.fetch("SELECT skus FROM trace_excursions WHERE site_id = ? AND room = ? AND "
                      "at_us >= ? AND at_us <= ?", [scope["site_id"], scope["room"], start, end]):
        skus |= set(loads(x["skus"]))
    if not skus:
        return {"packs": [], "batch_codes": []}
    marks = ", ".join("?" for _ in skus)
    packs = db.fetch(
        "SELECT p.pack_code, p.outlet_id, p.state, p.sold_us, r.sku, r.grade FROM trace_packs p "
        "JOIN trace_runs r "
        "ON r.run_id = p.run_id LEFT JOIN trace_shipments s ON s.shipment_id = p.shipment_id "
        f"WHERE r.site_id = ? AND r.sku IN ({marks}) AND r.packed_us <= ? AND "
        "(s.departed_us IS NULL OR s.departed_us >= ?) ORDER BY p.pack_code",
        [scope["site_id"], *sorted(skus), end, start])
    batches = db.fetch(f"SELECT batch_code FROM trace_batches WHERE site_id = ? AND sku IN "
                       f"({marks}) AND scanned_us <= ? AND expires_us >= ? ORDER BY batch_code",
                       [scope["site_id"], *sorted(skus), end, start])
    return {"packs": [_line(p) for p in packs], "batch_codes": [b["batch_code"] for b in batches]}
