"""Stock levels: per site, product and grade — graded kg not yet packed, and every pack's place.

Counters per (site, sku, grade) move with each pack: available → reserved → in transit →
at an outlet → sold (or missing on delivery, or expired when flagged); a recalled pack pulled
off a shelf (or set aside at its delivery), quarantined or destroyed leaves them for its own
counter (a drill's scans move nothing); a recalled pack still in its cold store (unreserved,
or released from its order by the recall) is counted recalled until it is quarantined, never
available. Packs are counted at
the cold store that packed them; ``stock_outlets`` says which outlet holds them. A pack an
outlet scanned at a delivery that did not carry it (``stock_unexpected``) is recorded, not
moved: the shipment's delivery records it and nothing fixes it, so it is shown beside the
counters, at the outlet that found it.
"""

from __future__ import annotations

from typing import Any

from domain.stock import Stock
from projections.base import Need, Projection, Rows, on
from projections.tables import grams, table, us

IDS = table("stock_ids", "stock_id sku grade", key="stock_id")
PRODUCTS = table("stock_products", "product_id sku name kind", key="product_id")
SITES = table("stock_sites", "site_ref site_id kind", key="site_ref")
LOTS = table("stock_lots", "stock_id batch_code sku grade site_id graded_g:int left_g:int "
             "expires_us:int", key="stock_id batch_code")
PACKS = table("stock_packs", "pack_code sku grade site_id pack_g:int packed_us:int expires_us:int "
              "state flag order_id shipment_id outlet_id", key="pack_code",
              indexes=("state site_id sku grade pack_g expires_us",))
LEVELS = table("stock_levels", "site_id sku grade unpacked_g:int available:int reserved:int "
               "in_transit:int at_outlets:int sold:int missing:int expired:int pulled:int "
               "quarantined:int destroyed:int recalled:int", key="site_id sku grade", counters=True)
SHIPMENTS = table("stock_shipments", "shipment_id outlet_id", key="shipment_id")
UNEXPECTED = table("stock_unexpected", "pack_code shipment_id outlet_id delivered_us:int",
                   key="pack_code shipment_id")
OUTLETS = table("stock_outlets", "site_id sku grade outlet_id packs:int",
                key="site_id sku grade outlet_id", counters=True)
RECALLS = table("stock_recalls", "recall_id drill:int", key="recall_id")
RECALLED = table("stock_recalled", "pack_code", key="pack_code")  # blocked by a recall

# Where a pack can be, and the counter of stock_levels that counts it there.
COUNTER = {"available": "available", "reserved": "reserved", "in_transit": "in_transit",
           "at_outlet": "at_outlets", "sold": "sold", "missing": "missing", "expired": "expired",
           "pulled": "pulled", "quarantined": "quarantined", "destroyed": "destroyed",
           "recalled": "recalled"}
# A recall's fate of a pack that takes it out of stock: pulled off a shelf (or set aside at a
# delivery), quarantined at the cold store, destroyed. A sold pack brought back stays sold.
OUT_OF_STOCK = ("pulled", "quarantined", "destroyed")


def _stock(e: Any) -> list[Need]:
    return [(IDS, (str(e.originator_id),))]


def _coop(e: Any) -> str:
    return str(Stock.create_id(e.sku, e.grade))


def _held_lots(e: Any) -> list[str]:
    return list((e.held or {}).get("lots", {}))


def _shipment(e: Any) -> list[Need]:
    return [(SHIPMENTS, (str(e.originator_id),))]


def _packs(codes: list[str]) -> list[Need]:
    return [(PACKS, (c,)) for c in codes]


class StockProjection(Projection):
    name = "stock"
    tables = (IDS, PRODUCTS, SITES, LOTS, PACKS, LEVELS, OUTLETS, SHIPMENTS, UNEXPECTED, RECALLS,
              RECALLED)

    @on("Stock.Opened", needs=lambda e: [(LOTS, (_coop(e), c)) for c in _held_lots(e)],
        creates=_stock)
    def opened(self, e: Any, rows: Rows, _: int) -> None:
        """A stock opens; a cold store's takes the lots the co-op-wide stock held there (that
        stock's rows of them stay as they were when handed over)."""
        stock_id = str(e.originator_id)
        rows.put(IDS, {"stock_id": stock_id, "sku": e.sku, "grade": e.grade})
        for code in _held_lots(e):
            lot = rows.get(LOTS, (_coop(e), code))
            assert lot is not None, code
            rows.put(LOTS, {**lot, "stock_id": stock_id})

    @on("Product.Registered", "Product.DetailsCorrected")
    def product(self, e: Any, rows: Rows, _: int) -> None:
        row = rows.get(PRODUCTS, (str(e.originator_id),)) or {"product_id": str(e.originator_id),
                                                              "sku": getattr(e, "sku", None)}
        rows.put(PRODUCTS, {**row, "name": e.spec["name"], "kind": e.spec["kind"]})

    @on("Site.Registered")
    def site(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(SITES, {"site_ref": str(e.originator_id), "site_id": e.site_id, "kind": e.kind})

    @on("Stock.LotAdded", needs=_stock,
        creates=lambda e: [(LOTS, (str(e.originator_id), e.batch_code))])
    def lot_added(self, e: Any, rows: Rows, _: int) -> None:
        stock = rows.get(IDS, (str(e.originator_id),))
        assert stock is not None
        g = grams(e.kg)
        rows.put(LOTS, {"stock_id": stock["stock_id"], "batch_code": e.batch_code,
                        "grade": stock["grade"], "sku": stock["sku"],
                        "site_id": e.site_id, "graded_g": g, "left_g": g,
                        "expires_us": us(e.expires_at)})
        rows.add(LEVELS, (e.site_id, stock["sku"], stock["grade"]), {"unpacked_g": g})

    @on("Stock.Packed", needs=lambda e: [*_stock(e), *[
        (LOTS, (str(e.originator_id), d["batch_code"])) for d in e.draws]],
        creates=lambda e: _packs(e.pack_codes))
    def packed(self, e: Any, rows: Rows, _: int) -> None:
        stock = rows.get(IDS, (str(e.originator_id),))
        assert stock is not None
        sku, grade = stock["sku"], stock["grade"]
        for draw in e.draws:
            lot = rows.get(LOTS, (stock["stock_id"], draw["batch_code"]))
            assert lot is not None, draw
            rows.put(LOTS, {**lot, "left_g": lot["left_g"] - grams(draw["kg"])})
        drawn = sum(grams(d["kg"]) for d in e.draws)
        for code in e.pack_codes:
            rows.put(PACKS, {"pack_code": code, "sku": sku, "grade": grade, "site_id": e.site_id,
                             "pack_g": grams(e.pack_kg), "packed_us": us(e.packed_at),
                             "expires_us": us(e.expires_at), "state": "available", "flag": "",
                             "order_id": None, "shipment_id": None, "outlet_id": None})
        rows.add(LEVELS, (e.site_id, sku, grade),
                 {"unpacked_g": -drawn, "available": len(e.pack_codes)})

    @on("Stock.Reserved", needs=lambda e: _packs(e.pack_codes))
    def reserved(self, e: Any, rows: Rows, _: int) -> None:
        for code in e.pack_codes:
            self.move(rows, code, "reserved", order_id=e.order_id)

    @on("Stock.ReservationReleased", needs=lambda e: [
        *_packs(e.pack_codes), *((RECALLED, (c,)) for c in e.pack_codes)])
    def released(self, e: Any, rows: Rows, _: int) -> None:
        for code in e.pack_codes:
            pack = rows.get(PACKS, (code,))
            assert pack is not None
            state = ("recalled" if rows.get(RECALLED, (code,)) is not None
                     else "expired" if pack["flag"] == "expired" else "available")
            self.move(rows, code, state, order_id=None)

    @on("Stock.Dispatched", needs=lambda e: _packs(e.pack_codes))
    def dispatched(self, e: Any, rows: Rows, _: int) -> None:
        for code in e.pack_codes:
            self.move(rows, code, "in_transit", shipment_id=e.shipment_id)

    @on("Shipment.Departed", needs=lambda e: _packs([p["pack_code"] for p in e.packs]),
        creates=_shipment)
    def departed(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(SHIPMENTS, {"shipment_id": str(e.originator_id), "outlet_id": e.outlet_id})
        for p in e.packs:
            pack = rows.get(PACKS, (p["pack_code"],))
            if pack is not None:
                rows.put(PACKS, {**pack, "outlet_id": e.outlet_id})

    @on("Shipment.Delivered", needs=lambda e: [*_shipment(e), *_packs([
        *e.received, *e.missing, *(r["pack_code"] for r in e.refused)])])
    def delivered(self, e: Any, rows: Rows, _: int) -> None:
        for code in e.received:
            self.move(rows, code, "at_outlet")
        for code in e.missing:
            self.move(rows, code, "missing")
        for refused in e.refused:  # recalled: set aside at the outlet, never on its shelf
            if rows.get(PACKS, (refused["pack_code"],)) is not None:
                self.move(rows, refused["pack_code"], "pulled")
        shipment = rows.get(SHIPMENTS, (str(e.originator_id),))
        assert shipment is not None
        for code in e.unexpected:
            rows.put(UNEXPECTED, {"pack_code": code, "shipment_id": shipment["shipment_id"],
                                  "outlet_id": shipment["outlet_id"],
                                  "delivered_us": us(e.received_at)})

    @on("Recall.Opened", creates=lambda e: [(RECALLS, (str(e.originator_id),))])
    def recall_opened(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(RECALLS, {"recall_id": str(e.originator_id), "drill": int(e.drill)})

    @on("RecallRegister.Blocked", needs=lambda e: _packs(e.pack_codes),
        creates=lambda e: [(RECALLED, (c,)) for c in e.pack_codes])
    def blocked(self, e: Any, rows: Rows, _: int) -> None:
        """A recall that is not a drill blocks its packs: one waiting in its cold store is no
        longer available (an outlet's catalogue stops offering it); a reserved one follows
        when the recall releases it from its order."""
        for code in e.pack_codes:
            rows.put(RECALLED, {"pack_code": code})
            pack = rows.get(PACKS, (code,))
            if pack is not None and pack["state"] == "available":
                self.move(rows, code, "recalled")

    @on("Recall.PackAccounted", needs=lambda e: [(RECALLS, (str(e.originator_id),)),
                                                 *_packs([e.pack_code])])
    def accounted(self, e: Any, rows: Rows, _: int) -> None:
        """A recalled pack pulled, quarantined or destroyed leaves the counts of stock and
        shelves (a drill's scans move nothing: its packs stay where they are)."""
        recall = rows.get(RECALLS, (str(e.originator_id),))
        pack = rows.get(PACKS, (e.pack_code,))
        if (e.fate in OUT_OF_STOCK and pack is not None and pack["state"] != "sold"
                and recall is not None and not recall["drill"]):
            self.move(rows, e.pack_code, e.fate)

    @on("Shelf.Sold", needs=lambda e: _packs([e.pack_code]))
    def sold(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, e.pack_code, "sold")

    @on("Stock.ShelfLifeFlagged", needs=lambda e: _packs([*e.expired, *e.nearing]))
    def flagged(self, e: Any, rows: Rows, _: int) -> None:
        for level, codes in (("nearing", e.nearing), ("expired", e.expired)):
            for code in codes:
                pack = rows.get(PACKS, (code,))
                assert pack is not None
                rows.put(PACKS, {**pack, "flag": level})
                if level == "expired" and pack["state"] == "available":
                    self.move(rows, code, "expired")

    @staticmethod
    def move(rows: Rows, code: str, state: str, **changes: Any) -> None:
        """A pack goes somewhere else; the counters of its cold store follow it."""
        pack = rows.get(PACKS, (code,))
        assert pack is not None, code
        key = (pack["site_id"], pack["sku"], pack["grade"])
        if pack["state"] != state:
            rows.add(LEVELS, key, {COUNTER[pack["state"]]: -1, COUNTER[state]: 1})
            if "at_outlet" in (pack["state"], state):
                rows.add(OUTLETS, (*key, pack["outlet_id"] or ""),
                         {"packs": 1 if state == "at_outlet" else -1})
        rows.put(PACKS, {**pack, **changes, "state": state})
