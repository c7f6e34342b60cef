"""Traceability: from a pack back to its packing run, batches, farmers, inputs and cold chain,
and forward from a batch or an input lot to packs, shipments and outlets.

Master data is kept by aggregate id (events after the first carry only that); a pack's
place follows the same facts as the stock view: in_stock, reserved, in_transit, at_outlet,
sold, or missing on delivery; a pack an outlet scanned at a delivery that did not carry it
is recorded beside it (``trace_unexpected``), where it is left.
"""

from __future__ import annotations

from typing import Any

from domain.product import allowed_range
from projections.base import Need, Projection, Rows, on
from projections.tables import dumps, grams, loads, milli, us
from projections.trace.tables import (
    ALL,
    APPLICATIONS,
    BATCHES,
    CERTIFICATES,
    DRAWS,
    EXCURSIONS,
    FARMERS,
    PACKS,
    PRODUCTS,
    READINGS,
    RECALLED,
    RECALLS,
    ROOMS,
    RUNS,
    SALES,
    SHIPMENTS,
    SITES,
    STOCKS,
    UNEXPECTED,
)


def _own(table: Any) -> Any:
    return lambda e: [(table, (str(e.originator_id),))]


def _packs(codes: list[str]) -> list[Need]:
    return [(PACKS, (c,)) for c in codes]


class TraceProjection(Projection):
    name = "trace"
    tables = ALL

    @on("Farmer.Registered", "Farmer.DetailsCorrected", needs=_own(FARMERS),
        creates=_own(FARMERS))
    def farmer(self, e: Any, rows: Rows, _: int) -> None:
        ref = str(e.originator_id)
        row = rows.get(FARMERS, (ref,)) or {"farmer_ref": ref, "farmer_id": e.farmer_id}
        # A phone's last four digits only, for staff picking a farmer at intake.
        rows.put(FARMERS, {**row, "name": e.name, "village": e.village,
                           "phone_tail": (e.phone or "")[-4:] or None})

    @on("Product.Registered", "Product.DetailsCorrected", needs=_own(PRODUCTS),
        creates=_own(PRODUCTS))
    def product(self, e: Any, rows: Rows, _: int) -> None:
        ref, spec = str(e.originator_id), e.spec
        row = rows.get(PRODUCTS, (ref,)) or {"product_ref": ref, "sku": e.sku}
        low, high = allowed_range(spec)
        rows.put(PRODUCTS, {**row, "name": spec["name"], "kind": spec["kind"],
                            "active_ingredient": spec.get("active_ingredient"),
                            "phi_days": spec.get("phi_days"),
                            "temp_min_milli": milli(low), "temp_max_milli": milli(high)})

    @on("Site.Registered", "Site.DetailsCorrected", needs=_own(SITES), creates=_own(SITES))
    def site(self, e: Any, rows: Rows, _: int) -> None:
        ref = str(e.originator_id)
        row = rows.get(SITES, (ref,)) or {"site_ref": ref, "site_id": e.site_id, "kind": e.kind}
        rows.put(SITES, {**row, "name": e.name})

    @on("Farmer.InputApplied", needs=_own(FARMERS))
    def applied(self, e: Any, rows: Rows, _: int) -> None:
        farmer = rows.get(FARMERS, (str(e.originator_id),))
        assert farmer is not None
        rows.put(APPLICATIONS, {"application_id": e.application_id, "farmer_id": farmer["farmer_id"],
                                "sku": e.sku, "lot": e.lot, "applied_us": us(e.applied_at),
                                "crop_sku": e.crop_sku, "active_ingredient": e.active_ingredient,
                                "phi_days": e.phi_days})

    @on("InputSale.Recorded")
    def input_sale(self, e: Any, rows: Rows, _: int) -> None:
        for i, line in enumerate(e.lines):
            rows.put(SALES, {"sale_id": str(e.originator_id), "line": i, "farmer_id": e.farmer_id,
                             "shop_id": e.shop_id, "sold_us": us(e.sold_at), "sku": line["sku"],
                             "lot": line["lot"]})

    @on("Batch.Received", creates=_own(BATCHES))
    def received(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(BATCHES, {
            "batch_id": str(e.originator_id), "batch_code": e.batch_code, "site_id": e.site_id,
            "farmer_id": e.farmer_id, "sku": e.sku, "harvested_us": us(e.harvested_at),
            "scanned_us": us(e.scanned_at), "net_g": grams(e.net_kg),
            "temperature_milli": milli(e.temperature_c), "expires_us": us(e.expires_at),
            "status": "in_storage", "holds": dumps([]), "graded_us": None, "grades": None,
            "reject_g": None})

    @on("Batch.PutOnHold", "Batch.Released", "Batch.Destroyed", "Batch.Graded",
        "Batch.NetKgCorrected", needs=_own(BATCHES))
    def batch_changed(self, e: Any, rows: Rows, _: int) -> None:
        batch = rows.get(BATCHES, (str(e.originator_id),))
        assert batch is not None
        kind = type(e).__name__
        if kind == "PutOnHold":
            holds = [*loads(batch["holds"]), {"reason": e.reason, "detail": e.detail}]
            batch = {**batch, "status": "on_hold", "holds": dumps(holds)}
        elif kind == "Released":
            batch = {**batch, "status": "in_storage"}
        elif kind == "Destroyed":
            batch = {**batch, "status": "destroyed"}
        elif kind == "NetKgCorrected":
            batch = {**batch, "net_g": grams(e.net_kg)}
        else:
            batch = {**batch, "status": "graded", "graded_us": us(e.graded_at),
                     "grades": dumps({g: str(k) for g, k in e.grades_kg.items()}),
                     "reject_g": grams(e.reject_kg)}
        rows.put(BATCHES, batch)

    @on("ColdRoom.Opened", creates=_own(ROOMS))
    def room(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(ROOMS, {"room_ref": str(e.originator_id), "site_id": e.site_id, "room": e.room})

    @on("ColdRoom.ReadingsLogged", needs=_own(ROOMS))
    def readings(self, e: Any, rows: Rows, _: int) -> None:
        room = rows.get(ROOMS, (str(e.originator_id),))
        assert room is not None
        place = {"site_id": room["site_id"], "room": room["room"]}
        for r in e.readings:
            rows.put(READINGS, {**place, "at_us": us(r["at"]), "milli": milli(r["celsius"])})
        for x in e.excursions:
            rows.put(EXCURSIONS, {**place, "at_us": us(x["at"]), "milli": milli(x["celsius"]),
                                  "skus": dumps(x["skus"])})

    @on("Stock.Opened", creates=_own(STOCKS))
    def stock(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(STOCKS, {"stock_id": str(e.originator_id), "sku": e.sku, "grade": e.grade})

    @on("Stock.Packed", needs=_own(STOCKS), creates=lambda e: _packs(e.pack_codes))
    def packed(self, e: Any, rows: Rows, _: int) -> None:
        stock = rows.get(STOCKS, (str(e.originator_id),))
        assert stock is not None
        rows.put(RUNS, {"run_id": e.run_id, "sku": stock["sku"], "grade": stock["grade"],
                        "site_id": e.site_id, "pack_g": grams(e.pack_kg), "packed_us": us(e.packed_at),
                        "expires_us": us(e.expires_at), "packs": len(e.pack_codes)})
        for d in e.draws:
            rows.put(DRAWS, {"run_id": e.run_id, "batch_code": d["batch_code"], "g": grams(d["kg"]),
                             "first_pack": None if e.mixed else d["first_pack"],
                             "last_pack": None if e.mixed else d["last_pack"]})
        for seq, code in enumerate(e.pack_codes, 1):
            rows.put(PACKS, {"pack_code": code, "run_id": e.run_id, "seq": seq, "state": "in_stock",
                             "flag": "",
                             "order_id": None, "shipment_id": None, "outlet_id": None,
                             "sold_us": None})

    @on("Stock.Reserved", needs=lambda e: _packs(e.pack_codes))
    def reserved(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, e.pack_codes, state="reserved", order_id=e.order_id)

    @on("Stock.ReservationReleased", needs=lambda e: _packs(e.pack_codes))
    def released(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, e.pack_codes, state="in_stock", order_id=None)

    @on("Stock.Dispatched", needs=lambda e: _packs(e.pack_codes))
    def dispatched(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, e.pack_codes, state="in_transit", shipment_id=e.shipment_id)

    @on("Stock.ShelfLifeFlagged", needs=lambda e: _packs([*e.expired, *e.nearing]))
    def flagged(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, e.nearing, flag="nearing")
        self.move(rows, e.expired, flag="expired")

    @on("Shipment.Departed", needs=lambda e: _packs([p["pack_code"] for p in e.packs]),
        creates=_own(SHIPMENTS))
    def departed(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(SHIPMENTS, {"shipment_id": str(e.originator_id), "order_id": e.order_id,
                             "outlet_id": e.outlet_id, "vehicle": e.vehicle,
                             "departed_us": us(e.departed_at), "delivered_us": None})
        self.move(rows, [p["pack_code"] for p in e.packs], outlet_id=e.outlet_id)

    @on("Shipment.Delivered", needs=lambda e: [*_own(SHIPMENTS)(e), *_packs(
        [*e.received, *e.missing, *(r["pack_code"] for r in e.refused)])])
    def delivered(self, e: Any, rows: Rows, _: int) -> None:
        shipment = rows.get(SHIPMENTS, (str(e.originator_id),))
        assert shipment is not None
        rows.put(SHIPMENTS, {**shipment, "delivered_us": us(e.received_at)})
        self.move(rows, e.received, state="at_outlet")
        self.move(rows, e.missing, state="missing")
        # Recalled packs the outlet set aside at the delivery: never on its shelf.
        self.move(rows, [r["pack_code"] for r in e.refused], state="recalled")
        for code in e.unexpected:  # recorded, not moved: the pack stays where the facts put it
            rows.put(UNEXPECTED, {"pack_code": code, "shipment_id": shipment["shipment_id"]})

    @on("Shelf.Sold", needs=lambda e: _packs([e.pack_code]))
    def sold(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, [e.pack_code], state="sold", sold_us=us(e.sold_at))

    @on("Certificate.Issued")
    def certified(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(CERTIFICATES, {"batch_code": e.batch_code, "product": e.product,
                                "quantity_g": grams(e.quantity_kg), "village": e.village,
                                "farmer": e.farmer, "issuer": e.issuer,
                                "issued_us": us(e.issued_at), "promises": dumps(e.promises),
                                "basis": dumps(e.basis)})

    @on("Recall.Opened", creates=_own(RECALLS))
    def recall_opened(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(RECALLS, {"recall_id": str(e.originator_id), "kind": e.scope["kind"],
                           "reason": e.reason, "level": e.level, "drill": int(e.drill),
                           "opened_us": us(e.opened_at), "closed_us": None, "packs": 0})
        self.recalled(e, rows, _)

    @on("Recall.Widened", needs=_own(RECALLS))
    def recalled(self, e: Any, rows: Rows, _: int) -> None:
        recall = rows.get(RECALLS, (str(e.originator_id),))
        assert recall is not None
        rows.put(RECALLS, {**recall, "packs": recall["packs"] + len(e.packs)})
        for p in e.packs:
            sold = p["state"] == "sold"
            rows.put(RECALLED, {"recall_id": recall["recall_id"], "pack_code": p["pack_code"],
                                "sku": p["sku"], "grade": p["grade"], "place": p["place"],
                                "state": p["state"], "fate": "sold" if sold else None,
                                "fate_place": p["place"] if sold else None,
                                "fate_us": us(p["sold_at"]) if sold else None})

    @on("Recall.PackAccounted", needs=lambda e: [(RECALLED, (str(e.originator_id), e.pack_code))])
    def accounted(self, e: Any, rows: Rows, _: int) -> None:
        pack = rows.get(RECALLED, (str(e.originator_id), e.pack_code))
        assert pack is not None
        rows.put(RECALLED, {**pack, "fate": e.fate, "fate_place": e.place,
                            "fate_us": us(e.accounted_at)})

    @on("Recall.Closed", needs=_own(RECALLS))
    def recall_closed(self, e: Any, rows: Rows, _: int) -> None:
        recall = rows.get(RECALLS, (str(e.originator_id),))
        assert recall is not None
        rows.put(RECALLS, {**recall, "closed_us": us(e.closed_at)})

    @staticmethod
    def move(rows: Rows, codes: list[str], **changes: Any) -> None:
        for code in codes:
            pack = rows.get(PACKS, (code,))
            if pack is not None:
                rows.put(PACKS, {**pack, **changes})
