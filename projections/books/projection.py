"""Vouchers from the events: each business event posts one voucher by its rule in
``domain.books``, to the books of the unit its site belongs to at that moment (the district
union's, ``district``, for a site of no unit and for a payment to a farmer, which names no site).

Vouchers are numbered per unit and month (Asia/Shanghai) in log order, so rebuilding the view
from the log gives the same vouchers with the same numbers. Each voucher and line points at its
event (``ref``: aggregate id and version; ``event_id``: the notification id).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain import books
from projections.base import Need, Projection, Rows, on
from projections.tables import Table, grams, moment, table, us

SHANGHAI = ZoneInfo("Asia/Shanghai")

UNITS = table("books_units", "unit_ref unit_id name kind", key="unit_ref")
ASSIGNMENTS = table("books_assignments", "assignment_ref site_id", key="assignment_ref")
SITE_UNITS = table("books_site_units", "site_id unit_id", key="site_id")
STOCKS = table("books_stocks", "stock_ref site_id", key="stock_ref")
BATCHES = table("books_batches", "batch_ref batch_code site_id farmer_id sku", key="batch_ref")
# what a batch's grade cost the co-op (what its farmer earned for it), per produce stock's grade
GRADE_COSTS = table("books_grade_costs", "batch_code grade g:int fen:int", key="batch_code grade")
PRODUCE_STOCKS = table("books_produce_stocks", "stock_ref grade", key="stock_ref")
# a packing run's produce cost, spread over its packs at sale (``books.pack_cost_fen``)
RUN_COSTS = table("books_run_costs", "run_code cost_fen:int packs:int", key="run_code")
DELIVERIES = table("books_deliveries", "shipment_id received_at_us:int", key="shipment_id")
SHELVES = table("books_shelves", "shelf_ref outlet_id", key="shelf_ref")
FARMERS = table("books_farmers", "farmer_ref farmer_id", key="farmer_ref")
TRADE = table("books_trade", "unit_id year:int farmer_id direction sku g:int amount_fen:int",
              key="unit_id year farmer_id direction sku", counters=True)
MEMBERSHIPS = table("books_memberships", "membership_ref unit_id farmer_id", key="membership_ref")
# whether a farmer is a unit's member, once the unit said (members by default); business
# posts by the standing when it is posted
STANDINGS = table("books_standings", "unit_id farmer_id is_member:int", key="unit_id farmer_id")
# the unit and standing a sale or a payment was posted under, and its year: its correction
# reverses what was posted and posts anew under the same (``posting``: ``sale:<sale id>``,
# ``payment:<farmer ref>/<reference>``)
POSTINGS = table("books_postings", "posting unit_id is_member:int year:int", key="posting")
RESERVE_REFS = table("books_reserve_refs", "reserve_ref unit_id farmer_id", key="reserve_ref")
RESERVE_SHARES = table("books_reserve_shares", "unit_id farmer_id year:int amount_fen:int",
                       key="unit_id farmer_id year")
CAPITALS = table("books_capitals", "capital_ref unit_id farmer_id", key="capital_ref")
LEASES = table("books_leases", "lease_ref lease_id unit_id tenant asset monthly_rent_fen:int "
               "starts ends", key="lease_ref")
ASSETS = table("books_assets", "asset_ref asset_id unit_id name kind location area_m2:int "
               "value_fen:int acquired", key="asset_ref", indexes=("unit_id",))
PLANS = table("books_plans", "plan_ref unit_id", key="plan_ref")
NUMBERS = table("books_numbers", "unit_id month last:int", key="unit_id month")
VOUCHERS = table("books_vouchers", "voucher_id unit_id month number at_us:int kind event_id:int",
                 key="voucher_id", indexes=("unit_id month",))
LINES = table("books_lines", "voucher_id line_no:int unit_id account sub debit_fen:int "
              "credit_fen:int at_us:int", key="voucher_id line_no",
              indexes=("unit_id account at_us",))
# each account's debits and credits per unit and day, so a trial balance sums days, not lines
BALANCES = table("books_balances", "unit_id account day_us:int debit_fen:int credit_fen:int",
                 key="unit_id account day_us", counters=True)
DAY_US = 86_400_000_000
EAST_8_US = 8 * 3_600_000_000


def day_of(at_us: int) -> int:
    """The start of the day (UTC+8, China's time since 1991) holding a moment, in microseconds
    since the epoch: the day a line is summed in. The query splits periods on the same days."""
    return (at_us + EAST_8_US) // DAY_US * DAY_US - EAST_8_US


def _ref(table_: Table) -> Callable[[Any], list[Need]]:
    """The row of ``table_`` keyed by the event's aggregate."""
    return lambda e: [(table_, (str(e.originator_id),))]


def _site_unit(e: Any) -> list[Need]:
    return [(SITE_UNITS, (e.site_id,))]


def _standing_of(site: Callable[[Any, Rows], str | None], farmer: Callable[[Any, Rows], str | None],
                 *, unit: Callable[[Rows, str | None], str] | None = None,
                 ) -> Callable[[Any, Rows], list[Need]]:
    """The standing a posting looks up (``books_standings``): the farmer's in the unit of the
    site, from the rows the first round fetched, so a batch fetches them all at once."""
    def then(e: Any, rows: Rows) -> list[Need]:
        farmer_id = farmer(e, rows)
        unit_of = unit or _unit_of
        return [] if farmer_id is None else [(STANDINGS, (unit_of(rows, site(e, rows)),
                                                          farmer_id))]
    return then


def _batch_of(e: Any, rows: Rows) -> dict[str, Any] | None:
    return rows.get(BATCHES, (str(e.originator_id),))


def _farmer_of(e: Any, rows: Rows) -> str | None:
    farmer = rows.get(FARMERS, (str(e.originator_id),))
    return None if farmer is None else str(farmer["farmer_id"])


def _unit_of(rows: Rows, site_id: str | None) -> str:
    """The unit a site belongs to now; the district union's for none."""
    assigned = rows.get(SITE_UNITS, (site_id,)) if site_id is not None else None
    return str(assigned["unit_id"]) if assigned is not None else books.DISTRICT_UNIT


def _run_code(pack_code: str) -> str:
    """A pack's run, from its code (``domain.stock.pack_codes``: run code, dash, number)."""
    return pack_code.rpartition("-")[0]


def _pack_number(pack_code: str) -> int:
    number = pack_code.rpartition("-")[2]
    return int(number) if number.isdigit() else 0


def _pack_cost(rows: Rows, pack_code: str) -> int:
    """A pack's share of its run's produce cost (0 for a run the books never saw packed)."""
    run = rows.get(RUN_COSTS, (_run_code(pack_code),))
    return 0 if run is None else books.pack_cost_fen(
        run_cost_fen=run["cost_fen"], packs=run["packs"], number=_pack_number(pack_code))


def _cost(e: Any) -> int:
    return sum(line["cost_fen"] for line in e.lines)


class BooksProjection(Projection):
    name = "books"
    tables = (UNITS, ASSIGNMENTS, SITE_UNITS, STOCKS, BATCHES, SHELVES, FARMERS, TRADE, CAPITALS, LEASES,
              MEMBERSHIPS, STANDINGS, POSTINGS, GRADE_COSTS, PRODUCE_STOCKS, RUN_COSTS,
              DELIVERIES, ASSETS, RESERVE_REFS, RESERVE_SHARES,
              PLANS,
              NUMBERS,
              VOUCHERS, LINES, BALANCES)

    # what a voucher needs to know: sites' units and the sites and farmers of aggregates

    @on("AccountingUnit.Registered", creates=_ref(UNITS))
    def unit(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(UNITS, {"unit_ref": str(e.originator_id), "unit_id": e.unit_id, "name": e.name,
                         "kind": e.kind})

    @on("AccountingUnit.DetailsCorrected", needs=_ref(UNITS))
    def unit_corrected(self, e: Any, rows: Rows, _: int) -> None:
        unit = rows.get(UNITS, (str(e.originator_id),))
        assert unit is not None
        rows.put(UNITS, dict(unit, name=e.name, kind=e.kind))

    @on("SiteUnit.Assigned", creates=_ref(ASSIGNMENTS))
    def assigned(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(ASSIGNMENTS, {"assignment_ref": str(e.originator_id), "site_id": e.site_id})
        rows.put(SITE_UNITS, {"site_id": e.site_id, "unit_id": e.unit_id})

    @on("SiteUnit.Moved", needs=_ref(ASSIGNMENTS))
    def moved(self, e: Any, rows: Rows, _: int) -> None:
        assignment = rows.get(ASSIGNMENTS, (str(e.originator_id),))
        assert assignment is not None
        rows.put(SITE_UNITS, {"site_id": assignment["site_id"], "unit_id": e.unit_id})

    @on("InputStock.Opened", creates=_ref(STOCKS))
    def stock_opened(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(STOCKS, {"stock_ref": str(e.originator_id), "site_id": e.site_id})

    @on("Batch.Received", creates=_ref(BATCHES), needs=_site_unit, then=_standing_of(
        lambda e, _: e.site_id, lambda e, _: e.farmer_id))
    def batch(self, e: Any, rows: Rows, _: int) -> None:
        """(The farmer's standing in the unit is fetched now, for the grading that follows in
        the same batch, which cannot read this batch's row before it is written.)"""
        rows.put(BATCHES, {"batch_ref": str(e.originator_id), "batch_code": e.batch_code,
                           "site_id": e.site_id,
                           "farmer_id": e.farmer_id, "sku": e.sku})

    @on("Shelf.Opened", creates=_ref(SHELVES))
    def shelf(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(SHELVES, {"shelf_ref": str(e.originator_id), "outlet_id": e.outlet_id})

    @on("Farmer.Registered", creates=_ref(FARMERS))
    def farmer(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(FARMERS, {"farmer_ref": str(e.originator_id), "farmer_id": e.farmer_id})

    @on("Membership.Declared", creates=_ref(MEMBERSHIPS))
    def membership(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(MEMBERSHIPS, {"membership_ref": str(e.originator_id), "unit_id": e.unit_id,
                               "farmer_id": e.farmer_id})
        self._standing(rows, e.unit_id, e.farmer_id, e.is_member)

    @on("Membership.Changed", needs=_ref(MEMBERSHIPS))
    def membership_changed(self, e: Any, rows: Rows, _: int) -> None:
        found = rows.get(MEMBERSHIPS, (str(e.originator_id),))
        assert found is not None
        self._standing(rows, found["unit_id"], found["farmer_id"], e.is_member)

    @staticmethod
    def _standing(rows: Rows, unit_id: str, farmer_id: str, is_member: bool) -> None:
        rows.put(STANDINGS, {"unit_id": unit_id, "farmer_id": farmer_id,
                             "is_member": int(is_member)})

    @staticmethod
    def is_member(rows: Rows, unit_id: str, farmer_id: str) -> bool:
        found = rows.get(STANDINGS, (unit_id, farmer_id))
        return found is None or bool(found["is_member"])

    # the posting rules, one per event type

    @on("InputStock.Purchased", needs=_ref(STOCKS))
    def purchased(self, e: Any, rows: Rows, position: int) -> None:
        self.post(rows, e, position, "input_purchase", self._unit(rows, e), e.received_at,
                  books.input_purchased(payment=e.payment, total_fen=e.total_fen,
                                        supplier=e.supplier))

    @on("InputStock.PurchaseCorrected", needs=_ref(STOCKS))
    def purchase_corrected(self, e: Any, rows: Rows, position: int) -> None:
        """A correction posts the reversal (红字) of what was posted, then the purchase anew."""
        self.post_correction(rows, e, position, "input_purchase", self._unit(rows, e), *(
            books.input_purchased(payment=said["payment"], total_fen=said["total_fen"],
                                  supplier=e.supplier) for said in (e.was, e.now)))

    @on("InputStock.TransferredOut", needs=_ref(STOCKS))
    def sent(self, e: Any, rows: Rows, position: int) -> None:
        site_id = self._site(rows, STOCKS, e)
        here, there = self.unit_of(rows, site_id), self.unit_of(rows, e.to_site_id)
        if here != there:
            self.post(rows, e, position, "input_transfer_out", here, e.sent_at,
                      books.inputs_sent(cost_fen=_cost(e), to_unit=there))

    @on("InputStock.TransferredIn", needs=_ref(STOCKS))
    def received(self, e: Any, rows: Rows, position: int) -> None:
        site_id = self._site(rows, STOCKS, e)
        here, there = self.unit_of(rows, site_id), self.unit_of(rows, e.from_site_id)
        if here != there:
            self.post(rows, e, position, "input_transfer_in", here, e.received_at,
                      books.inputs_received(cost_fen=_cost(e), from_unit=there))

    @on("InputSale.Recorded", creates=lambda e: [(POSTINGS, (f"sale:{e.originator_id}",))],
        needs=lambda e: [(SITE_UNITS, (e.shop_id,))], then=_standing_of(
            lambda e, _: e.shop_id, lambda e, _: e.farmer_id))
    def input_sale(self, e: Any, rows: Rows, position: int) -> None:
        unit_id = self.unit_of(rows, e.shop_id)
        is_member = self.is_member(rows, unit_id, e.farmer_id)
        posting = self.posted(rows, f"sale:{e.originator_id}", unit_id, is_member, e.sold_at)
        self.post(rows, e, position, "input_sale", unit_id, e.sold_at,
                  books.input_sold(payment=e.payment, total_fen=e.total_fen,
                                   farmer_id=e.farmer_id, is_member=is_member))
        self.sale_trade(rows, posting, e.farmer_id, e.lines, 1)

    @on("InputSale.Corrected", needs=lambda e: [(POSTINGS, (f"sale:{e.originator_id}",))])
    def input_sale_corrected(self, e: Any, rows: Rows, position: int) -> None:
        """The sale's voucher reversed (红字) and posted anew at its corrected total, in the
        unit and standing it was posted under; the member's trade follows."""
        posting = rows.get(POSTINGS, (f"sale:{e.originator_id}",))
        assert posting is not None
        self.post_correction(rows, e, position, "input_sale", posting["unit_id"], *(
            books.input_sold(payment=e.payment, total_fen=said["total_fen"],
                             farmer_id=e.farmer_id,
                             is_member=bool(posting["is_member"])) for said in (e.was, e.now)))
        self.sale_trade(rows, posting, e.farmer_id, e.was["lines"], -1)
        self.sale_trade(rows, posting, e.farmer_id, e.now["lines"], 1)

    def sale_trade(self, rows: Rows, posting: dict[str, Any], farmer_id: str,
                   lines: list[dict[str, Any]], sign: int) -> None:
        """A member's input purchase on their account (a non-member's is no patronage)."""
        if not posting["is_member"]:
            return
        for line in lines:
            rows.add(TRADE, (posting["unit_id"], posting["year"], farmer_id, "bought_inputs",
                             line["sku"]), {"g": sign * grams(line["quantity"]),
                                            "amount_fen": sign * line["line_fen"]})

    @on("InputStock.Sold", needs=_ref(STOCKS))
    def input_cost(self, e: Any, rows: Rows, position: int) -> None:
        self.post(rows, e, position, "input_cost", self._unit(rows, e), e.sold_at,
                  books.input_cost(cost_fen=_cost(e)))

    @on("InputStock.SaleCorrected", needs=lambda e: [
        *_ref(STOCKS)(e), (POSTINGS, (f"sale:{e.sale_id}",))])
    def input_cost_corrected(self, e: Any, rows: Rows, position: int) -> None:
        """The cost of the lines whose quantity was corrected: what they drew reversed, what
        they draw now posted, in the unit the sale was posted to."""
        posting = rows.get(POSTINGS, (f"sale:{e.sale_id}",))
        unit_id = posting["unit_id"] if posting is not None else self._unit(rows, e)
        self.post_correction(rows, e, position, "input_cost", unit_id, *(
            books.input_cost(cost_fen=sum(line["cost_fen"] for line in lines))
            for lines in (e.was, e.now)))

    @on("Batch.Graded", needs=_ref(BATCHES), then=_standing_of(
        lambda e, rows: (_batch_of(e, rows) or {}).get("site_id"),
        lambda e, rows: (_batch_of(e, rows) or {}).get("farmer_id")))
    def graded(self, e: Any, rows: Rows, position: int) -> None:
        batch = rows.get(BATCHES, (str(e.originator_id),))
        assert batch is not None
        unit_id = self.unit_of(rows, batch["site_id"])
        is_member = self.is_member(rows, unit_id, batch["farmer_id"])
        for grade, kg_ in e.grades_kg.items():
            rows.put(GRADE_COSTS, {"batch_code": batch["batch_code"], "grade": grade,
                                   "g": grams(kg_), "fen": e.earned_fen.get(grade, 0)})
        self.post(rows, e, position, "produce_purchase", unit_id, e.graded_at,
                  books.produce_bought(earned_fen=sum(e.earned_fen.values()),
                                       farmer_id=batch["farmer_id"], is_member=is_member))
        if is_member:
            self.trade(rows, unit_id, e.graded_at, batch["farmer_id"], "sold_produce",
                       batch["sku"], sum(e.grades_kg.values()), sum(e.earned_fen.values()))

    @on("Stock.Opened", creates=_ref(PRODUCE_STOCKS))
    def produce_stock(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(PRODUCE_STOCKS, {"stock_ref": str(e.originator_id), "grade": e.grade})

    @on("Stock.Packed", needs=_ref(PRODUCE_STOCKS))
    def packed(self, e: Any, rows: Rows, _: int) -> None:
        """A run's produce cost: each batch drawn at what its grade cost, pro rata."""
        if not e.pack_codes:
            return
        stock = rows.get(PRODUCE_STOCKS, (str(e.originator_id),))
        assert stock is not None
        cost = 0
        for draw in e.draws:
            graded = rows.get(GRADE_COSTS, (draw["batch_code"], stock["grade"]))
            if graded is not None:
                cost += books.draw_cost_fen(kg_g=grams(draw["kg"]), graded_g=graded["g"],
                                            earned_fen=graded["fen"])
        rows.put(RUN_COSTS, {"run_code": _run_code(e.pack_codes[0]), "cost_fen": cost,
                             "packs": len(e.pack_codes)})

    @on("Shipment.Delivered", creates=lambda e: [(DELIVERIES, (str(e.originator_id),))])
    def delivered(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(DELIVERIES, {"shipment_id": str(e.originator_id),
                              "received_at_us": us(e.received_at)})

    @on("Shelf.Stocked", needs=lambda e: [*_ref(SHELVES)(e), (DELIVERIES, (e.shipment_id,)), *[
        (RUN_COSTS, (_run_code(p["pack_code"]),)) for p in e.packs]])
    def shelved(self, e: Any, rows: Rows, position: int) -> None:
        """Packs delivered to an outlet of another unit than their cold store's move between
        the two units' books at their produce cost, as inputs sent between units do."""
        shelf = rows.get(SHELVES, (str(e.originator_id),))
        assert shelf is not None
        here = self.unit_of(rows, shelf["outlet_id"])
        delivery = rows.get(DELIVERIES, (e.shipment_id,))
        at = moment(delivery["received_at_us"]) if delivery is not None else None
        at = at or e.timestamp  # the delivery is saved with the shelf; the record's time else
        sent: dict[str, int] = {}
        for pack in e.packs:
            there = self.unit_of(rows, pack.get("site_id"))
            if there != here:
                sent[there] = sent.get(there, 0) + _pack_cost(rows, pack["pack_code"])
        for there, cost in sorted(sent.items()):
            self.post(rows, e, position, "produce_transfer_out", there, at,
                      books.inputs_sent(cost_fen=cost, to_unit=here), part=f"out:{there}")
            self.post(rows, e, position, "produce_transfer_in", here, at,
                      books.inputs_received(cost_fen=cost, from_unit=there), part=f"in:{there}")

    @on("Shelf.Sold", needs=lambda e: [*_ref(SHELVES)(e), (RUN_COSTS, (_run_code(e.pack_code),))])
    def retail_sale(self, e: Any, rows: Rows, position: int) -> None:
        shelf = rows.get(SHELVES, (str(e.originator_id),))
        assert shelf is not None
        cost = _pack_cost(rows, e.pack_code)
        self.post(rows, e, position, "produce_sale", self.unit_of(rows, shelf["outlet_id"]),
                  e.sold_at,
                  books.produce_sold(price_fen=e.price_fen, cost_fen=cost))

    @on("Farmer.Paid", needs=_ref(FARMERS), creates=lambda e: [
        (POSTINGS, (f"payment:{e.originator_id}/{e.reference}",))],
        then=_standing_of(lambda e, _: None, _farmer_of, unit=lambda rows, _: books.DISTRICT_UNIT))
    def paid(self, e: Any, rows: Rows, position: int) -> None:
        farmer = rows.get(FARMERS, (str(e.originator_id),))
        assert farmer is not None
        is_member = self.is_member(rows, books.DISTRICT_UNIT, farmer["farmer_id"])
        self.posted(rows, f"payment:{e.originator_id}/{e.reference}", books.DISTRICT_UNIT,
                    is_member, e.paid_at)
        self.post(rows, e, position, "farmer_payment", books.DISTRICT_UNIT, e.paid_at,
                  books.farmer_paid(amount_fen=e.amount_fen, farmer_id=farmer["farmer_id"],
                                    method=e.method, is_member=is_member))

    @on("Farmer.PaymentCorrected", needs=lambda e: [
        *_ref(FARMERS)(e), (POSTINGS, (f"payment:{e.originator_id}/{e.reference}",))])
    def payment_corrected(self, e: Any, rows: Rows, position: int) -> None:
        """The payment's voucher reversed (红字) and posted anew, under the standing it was
        posted with."""
        farmer = rows.get(FARMERS, (str(e.originator_id),))
        assert farmer is not None
        posting = rows.get(POSTINGS, (f"payment:{e.originator_id}/{e.reference}",))
        is_member = bool(posting["is_member"]) if posting is not None else self.is_member(
            rows, books.DISTRICT_UNIT, farmer["farmer_id"])
        self.post_correction(rows, e, position, "farmer_payment", books.DISTRICT_UNIT, *(
            books.farmer_paid(amount_fen=said["amount_fen"], farmer_id=farmer["farmer_id"],
                              method=said["method"], is_member=is_member)
            for said in (e.was, e.now)))

    @on("MemberCapital.Opened", creates=_ref(CAPITALS))
    def capital_opened(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(CAPITALS, {"capital_ref": str(e.originator_id), "unit_id": e.unit_id,
                            "farmer_id": e.farmer_id})

    @on("MemberCapital.Contributed", needs=_ref(CAPITALS))
    def contributed(self, e: Any, rows: Rows, position: int) -> None:
        capital = rows.get(CAPITALS, (str(e.originator_id),))
        assert capital is not None
        self.post(rows, e, position, "capital_contribution", capital["unit_id"], e.paid_at,
                  books.capital_contributed(amount_fen=e.amount_fen,
                                            farmer_id=capital["farmer_id"], method=e.method))

    @on("MemberCapital.Corrected", needs=_ref(CAPITALS))
    def capital_corrected(self, e: Any, rows: Rows, position: int) -> None:
        capital = rows.get(CAPITALS, (str(e.originator_id),))
        assert capital is not None
        self.post_correction(rows, e, position, "capital_contribution", capital["unit_id"], *(
            books.capital_contributed(amount_fen=said["amount_fen"],
                                      farmer_id=capital["farmer_id"], method=said["method"])
            for said in (e.was, e.now)))

    @on("Asset.Registered", creates=_ref(ASSETS))
    def asset(self, e: Any, rows: Rows, position: int) -> None:
        """An asset's card at its original value: 借 固定资产 / 贷 银行存款, dated when the card
        was recorded."""
        rows.put(ASSETS, {"asset_ref": str(e.originator_id), "asset_id": e.asset_id,
                          "unit_id": e.unit_id, "name": e.name, "kind": e.kind,
                          "location": e.location, "area_m2": e.area_m2,
                          "value_fen": e.value_fen, "acquired": e.acquired})
        self.post(rows, e, position, "asset_acquired", e.unit_id, e.timestamp,
                  books.asset_acquired(value_fen=e.value_fen))

    @on("Asset.Corrected", needs=_ref(ASSETS))
    def asset_corrected(self, e: Any, rows: Rows, position: int) -> None:
        """A card corrected: when its original value changed, the 红字 reversal of the value
        posted and the value anew."""
        card = rows.get(ASSETS, (str(e.originator_id),))
        assert card is not None
        rows.put(ASSETS, dict(card, name=e.name, kind=e.kind, location=e.location,
                              area_m2=e.area_m2, value_fen=e.value_fen, acquired=e.acquired))
        if card["value_fen"] != e.value_fen:
            self.post_correction(rows, e, position, "asset_acquired", card["unit_id"], *(
                books.asset_acquired(value_fen=fen) for fen in (card["value_fen"], e.value_fen)),
                at=e.timestamp)

    @on("ReserveShares.Opened", creates=_ref(RESERVE_REFS))
    def reserve_opened(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(RESERVE_REFS, {"reserve_ref": str(e.originator_id), "unit_id": e.unit_id,
                                "farmer_id": e.farmer_id})

    @on("ReserveShares.Quantified", needs=_ref(RESERVE_REFS))
    def reserve_quantified(self, e: Any, rows: Rows, _: int) -> None:
        ref = rows.get(RESERVE_REFS, (str(e.originator_id),))
        assert ref is not None
        rows.put(RESERVE_SHARES, {"unit_id": ref["unit_id"], "farmer_id": ref["farmer_id"],
                                  "year": e.year, "amount_fen": e.amount_fen})

    @on("Lease.Signed", creates=_ref(LEASES))
    def lease(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(LEASES, {"lease_ref": str(e.originator_id), "lease_id": e.lease_id,
                          "unit_id": e.unit_id, "asset": e.asset,
                          "monthly_rent_fen": e.monthly_rent_fen, "starts": e.starts,
                          "ends": e.ends,
                          "tenant": e.tenant})

    @on("Lease.RentDue", needs=_ref(LEASES))
    def rent_due(self, e: Any, rows: Rows, position: int) -> None:
        lease = rows.get(LEASES, (str(e.originator_id),))
        assert lease is not None
        first_day = datetime.strptime(e.month, "%Y-%m").replace(tzinfo=SHANGHAI)
        self.post(rows, e, position, "rent_due", lease["unit_id"], first_day,
                  books.rent_due(amount_fen=e.amount_fen, tenant=lease["tenant"]))

    @on("Lease.RentReceived", needs=_ref(LEASES))
    def rent_received(self, e: Any, rows: Rows, position: int) -> None:
        lease = rows.get(LEASES, (str(e.originator_id),))
        assert lease is not None
        self.post(rows, e, position, "rent_received", lease["unit_id"], e.received_at,
                  books.rent_received(amount_fen=e.amount_fen, tenant=lease["tenant"],
                                      method=e.method))

    @on("Lease.ReceiptCorrected", needs=_ref(LEASES))
    def receipt_corrected(self, e: Any, rows: Rows, position: int) -> None:
        """A correction posts the reversal (红字) of the receipt's voucher, then the receipt anew."""
        lease = rows.get(LEASES, (str(e.originator_id),))
        assert lease is not None
        self.post_correction(rows, e, position, "rent_received", lease["unit_id"], *(
            books.rent_received(amount_fen=said["amount_fen"], tenant=lease["tenant"],
                                method=said["method"]) for said in (e.was, e.now)))

    @on("DistributionPlan.Drafted", creates=_ref(PLANS))
    def drafted(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(PLANS, {"plan_ref": str(e.originator_id), "unit_id": e.unit_id})

    @on("DistributionPlan.Approved", needs=_ref(PLANS))
    def approved(self, e: Any, rows: Rows, position: int) -> None:
        self.post(rows, e, position, "distribution", self._plan_unit(rows, e), e.approved_at,
                  books.distribution_approved(lines=e.lines))

    @on("DistributionPlan.Settled", needs=_ref(PLANS))
    def settled(self, e: Any, rows: Rows, position: int) -> None:
        self.post(rows, e, position, f"distribution_{e.how}", self._plan_unit(rows, e),
                  e.settled_at, books.distribution_settled(how=e.how, lines=e.lines))

    @staticmethod
    def trade(rows: Rows, unit_id: str, at: datetime, farmer_id: str, direction: str, sku: str,
              quantity: Any, amount_fen: int) -> None:
        """A member's transaction with the unit, per year and product (their member account)."""
        year = at.astimezone(SHANGHAI).year
        rows.add(TRADE, (unit_id, year, farmer_id, direction, sku),
                 {"g": grams(quantity), "amount_fen": amount_fen})

    @staticmethod
    def _plan_unit(rows: Rows, e: Any) -> str:
        plan = rows.get(PLANS, (str(e.originator_id),))
        assert plan is not None
        return str(plan["unit_id"])

    def _unit(self, rows: Rows, e: Any) -> str:
        """The unit of the site whose input stock the event is of."""
        return self.unit_of(rows, self._site(rows, STOCKS, e))

    @staticmethod
    def _site(rows: Rows, table_: Table, e: Any) -> str:
        found = rows.get(table_, (str(e.originator_id),))
        assert found is not None
        return str(found["site_id"])

    unit_of = staticmethod(_unit_of)

    @staticmethod
    def posted(rows: Rows, posting: str, unit_id: str, is_member: bool,
               at: datetime) -> dict[str, Any]:
        row = {"posting": posting, "unit_id": unit_id, "is_member": int(is_member),
               "year": at.astimezone(SHANGHAI).year}
        rows.put(POSTINGS, row)
        return row

    def post_correction(self, rows: Rows, e: Any, position: int, kind: str, unit_id: str,
                        was: list[dict[str, Any]], now: list[dict[str, Any]], *,
                        at: datetime | None = None) -> None:
        """A correction, never an edit: the reversal (红字) of the voucher ``was`` posted, then
        ``now``, both dated at the correction (``at``, else the event's ``corrected_at``)."""
        when = at or e.corrected_at
        self.post(rows, e, position, f"{kind}_reversal", unit_id, when, books.reverse(was),
                  part="reversal")
        self.post(rows, e, position, kind, unit_id, when, now, part="corrected")

    @staticmethod
    def post(rows: Rows, e: Any, position: int, kind: str, unit_id: str, at: datetime,
             lines: list[dict[str, Any]], part: str = "") -> None:
        """Post one voucher of an event (``part`` tells apart several of one event)."""
        if not lines:
            return
        month = at.astimezone(SHANGHAI).strftime("%Y-%m")
        numbered = rows.get(NUMBERS, (unit_id, month))
        last = (numbered["last"] if numbered is not None else 0) + 1
        rows.put(NUMBERS, {"unit_id": unit_id, "month": month, "last": last})
        voucher_id = f"{e.originator_id}/{e.originator_version}" + (f"#{part}" if part else "")
        at_us = us(at)
        assert at_us is not None
        rows.put(VOUCHERS, {"voucher_id": voucher_id, "unit_id": unit_id, "month": month,
                            "number": f"{month}-{last:04d}", "at_us": at_us, "kind": kind,
                            "event_id": position})
        day = day_of(at_us)
        for n, entry in enumerate(lines):
            rows.put(LINES, {"voucher_id": voucher_id, "line_no": n, "unit_id": unit_id,
                             "at_us": at_us, **entry})
            rows.add(BALANCES, (unit_id, entry["account"], day),
                     {"debit_fen": entry["debit_fen"], "credit_fen": entry["credit_fen"]})
