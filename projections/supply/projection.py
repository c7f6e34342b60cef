"""Input supply: what each shop and the warehouse holds of every lot, and what it cost.

Counters per (site, product, lot) move with the site's ``InputStock`` events: purchased,
transferred in and out, sold — each in thousandths of the product's unit (``grams``) and fen
at cost, so on hand is ``purchased + in - out - sold`` and its cost likewise, and the cost of
goods sold by lot is ``cogs_fen``. A shop that never bought (unmanaged) has no rows.

For the 农药统供率 it also keeps the spray diary's applications (with the farmer's village,
the area) and every lot a co-op shop sold, managed or not; the share is a query.
"""

from __future__ import annotations

from typing import Any

from projections.base import Need, Projection, Rows, on
from projections.tables import grams, table, us

STOCKS = table("supply_stocks", "stock_ref site_id", key="stock_ref")
LOTS = table("supply_lots", "site_id sku lot purchased_g:int purchased_fen:int in_g:int "
             "in_fen:int out_g:int out_fen:int sold_g:int cogs_fen:int",
             key="site_id sku lot", indexes=("sku lot",), counters=True)
PRODUCTS = table("supply_products", "product_ref sku input_class", key="product_ref",
                 indexes=("sku",))
FARMERS = table("supply_farmers", "farmer_ref farmer_id village", key="farmer_ref")
APPLICATIONS = table("supply_applications", "application_id farmer_id village sku lot "
                     "applied_us:int", key="application_id", indexes=("applied_us",))
SOLD_LOTS = table("supply_sold_lots", "sku lot", key="sku lot")


def _stock(e: Any) -> list[Need]:
    return [(STOCKS, (str(e.originator_id),))]


def _farmer(e: Any) -> list[Need]:
    return [(FARMERS, (str(e.originator_id),))]


class SupplyProjection(Projection):
    name = "supply"
    tables = (STOCKS, LOTS, PRODUCTS, FARMERS, APPLICATIONS, SOLD_LOTS)

    @on("InputStock.Opened", creates=_stock)
    def opened(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(STOCKS, {"stock_ref": str(e.originator_id), "site_id": e.site_id})

    @on("InputStock.Purchased", needs=_stock)
    def purchased(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, e, "purchased")

    @on("InputStock.PurchaseCorrected", needs=_stock)
    def purchase_corrected(self, e: Any, rows: Rows, _: int) -> None:
        stock = rows.get(STOCKS, (str(e.originator_id),))
        assert stock is not None
        for old, new in zip(e.was["lines"], e.now["lines"], strict=True):
            rows.add(LOTS, (stock["site_id"], new["sku"], new["lot"]),
                     {"purchased_fen": new["cost_fen"] - old["cost_fen"]})

    @on("InputStock.TransferredIn", needs=_stock)
    def transferred_in(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, e, "in")

    @on("InputStock.TransferredOut", needs=_stock)
    def transferred_out(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, e, "out")

    @on("InputStock.Sold", needs=_stock)
    def sold(self, e: Any, rows: Rows, _: int) -> None:
        self.move(rows, e, "sold", cost="cogs_fen")

    @on("InputStock.SaleCorrected", needs=_stock)
    def sale_corrected(self, e: Any, rows: Rows, _: int) -> None:
        """The lines whose quantity was corrected: what they drew given back, drawn anew."""
        stock = rows.get(STOCKS, (str(e.originator_id),))
        assert stock is not None
        for old, new in zip(e.was, e.now, strict=True):
            rows.add(LOTS, (stock["site_id"], new["sku"], new["lot"]),
                     {"sold_g": grams(new["quantity"]) - grams(old["quantity"]),
                      "cogs_fen": new["cost_fen"] - old["cost_fen"]})

    @staticmethod
    def move(rows: Rows, e: Any, counter: str, cost: str | None = None) -> None:
        stock = rows.get(STOCKS, (str(e.originator_id),))
        assert stock is not None
        for line in e.lines:
            rows.add(LOTS, (stock["site_id"], line["sku"], line["lot"]),
                     {f"{counter}_g": grams(line["quantity"]),
                      cost or f"{counter}_fen": line["cost_fen"]})

    @on("Product.Registered", creates=lambda e: [(PRODUCTS, (str(e.originator_id),))])
    def product(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(PRODUCTS, {"product_ref": str(e.originator_id), "sku": e.sku,
                            "input_class": e.spec.get("input_class")})

    @on("Product.DetailsCorrected", needs=lambda e: [(PRODUCTS, (str(e.originator_id),))])
    def product_corrected(self, e: Any, rows: Rows, _: int) -> None:
        product = rows.get(PRODUCTS, (str(e.originator_id),))
        assert product is not None
        rows.put(PRODUCTS, dict(product, input_class=e.spec.get("input_class")))

    @on("Farmer.Registered", creates=_farmer)
    def farmer(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(FARMERS, {"farmer_ref": str(e.originator_id), "farmer_id": e.farmer_id,
                           "village": e.village})

    @on("Farmer.DetailsCorrected", needs=_farmer)
    def farmer_corrected(self, e: Any, rows: Rows, _: int) -> None:
        farmer = rows.get(FARMERS, (str(e.originator_id),))
        assert farmer is not None
        rows.put(FARMERS, dict(farmer, village=e.village))

    @on("Farmer.InputApplied", needs=_farmer)
    def applied(self, e: Any, rows: Rows, _: int) -> None:
        """An application counts in the area the farmer lived in when it was recorded."""
        farmer = rows.get(FARMERS, (str(e.originator_id),))
        assert farmer is not None
        rows.put(APPLICATIONS, {"application_id": e.application_id,
                                "farmer_id": farmer["farmer_id"], "village": farmer["village"],
                                "sku": e.sku, "lot": e.lot, "applied_us": us(e.applied_at)})

    @on("InputSale.Recorded")
    def input_sale(self, e: Any, rows: Rows, _: int) -> None:
        for line in e.lines:
            rows.put(SOLD_LOTS, {"sku": line["sku"], "lot": line["lot"]})
