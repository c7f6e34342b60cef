"""Farmer earnings: what each farmer delivered, earned at grading, took on credit and was paid.

One line per money-moving fact, each pointing at the event it came from (``ref`` is the
aggregate id and version, ``event_id`` the notification id); deliveries are lines too, with
kg and no money. Totals and balances are sums over a farmer's lines, answered by query.
"""

from __future__ import annotations

from typing import Any

from domain.input_sale import credit_fen
from projections.base import Need, Projection, Rows, on
from projections.tables import grams, table, us

FARMERS = table("earn_farmers", "farmer_ref farmer_id", key="farmer_ref")
BATCHES = table("earn_batches", "batch_id batch_code farmer_id sku", key="batch_id")
LINES = table("earn_lines", "ref part farmer_id at_us:int kind sku grade g:int amount_fen:int "
              "event_id:int", key="ref part", indexes=("farmer_id at_us",))


def _ref(e: Any) -> str:
    return f"{e.originator_id}/{e.originator_version}"


def _batch(e: Any) -> list[Need]:
    return [(BATCHES, (str(e.originator_id),))]


class EarningsProjection(Projection):
    name = "earnings"
    by_aggregate = True
    tables = (FARMERS, BATCHES, LINES)

    @on("Farmer.Registered", creates=lambda e: [(FARMERS, (str(e.originator_id),))])
    def registered(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(FARMERS, {"farmer_ref": str(e.originator_id), "farmer_id": e.farmer_id})

    @on("Batch.Received", creates=_batch)
    def received(self, e: Any, rows: Rows, position: int) -> None:
        rows.put(BATCHES, {"batch_id": str(e.originator_id), "batch_code": e.batch_code,
                           "farmer_id": e.farmer_id, "sku": e.sku})
        self.line(rows, e, position, farmer_id=e.farmer_id, at=e.scanned_at, kind="delivery",
                  sku=e.sku, g=grams(e.net_kg))

    @on("Batch.Graded", needs=_batch)
    def graded(self, e: Any, rows: Rows, position: int) -> None:
        batch = rows.get(BATCHES, (str(e.originator_id),))
        assert batch is not None
        for grade, kg in sorted(e.grades_kg.items()):
            self.line(rows, e, position, part=grade, farmer_id=batch["farmer_id"],
                      at=e.graded_at, kind="grading", sku=batch["sku"], grade=grade,
                      g=grams(kg), amount_fen=e.earned_fen[grade])

    @on("InputSale.Recorded")
    def input_sale(self, e: Any, rows: Rows, position: int) -> None:
        owed = credit_fen(e.payment, e.total_fen)
        if owed is not None:
            self.line(rows, e, position, farmer_id=e.farmer_id, at=e.sold_at,
                      kind="input_credit", amount_fen=owed)

    @on("InputSale.Corrected")
    def input_sale_corrected(self, e: Any, rows: Rows, position: int) -> None:
        """A corrected sale on credit: what the farmer owes moves by the difference."""
        was, now = (credit_fen(e.payment, said["total_fen"]) for said in (e.was, e.now))
        if was is not None and now is not None:
            self.line(rows, e, position, farmer_id=e.farmer_id, at=e.corrected_at,
                      kind="input_credit", amount_fen=now - was)

    @on("Farmer.PaymentCorrected", needs=lambda e: [(FARMERS, (str(e.originator_id),))])
    def payment_corrected(self, e: Any, rows: Rows, position: int) -> None:
        """A corrected payment: what the farmer was paid moves by the difference."""
        farmer = rows.get(FARMERS, (str(e.originator_id),))
        assert farmer is not None
        self.line(rows, e, position, farmer_id=farmer["farmer_id"], at=e.corrected_at,
                  kind="payment", amount_fen=e.now["amount_fen"] - e.was["amount_fen"])

    @on("Farmer.Paid", needs=lambda e: [(FARMERS, (str(e.originator_id),))])
    def paid(self, e: Any, rows: Rows, position: int) -> None:
        farmer = rows.get(FARMERS, (str(e.originator_id),))
        assert farmer is not None
        self.line(rows, e, position, farmer_id=farmer["farmer_id"], at=e.paid_at,
                  kind="payment", amount_fen=e.amount_fen)

    @staticmethod
    def line(rows: Rows, e: Any, position: int, *, farmer_id: str, at: Any, kind: str,
             part: str = "", sku: str | None = None, grade: str | None = None, g: int = 0,
             amount_fen: int = 0) -> None:
        rows.put(LINES, {"ref": _ref(e), "part": part, "farmer_id": farmer_id, "at_us": us(at),
                         "kind": kind, "sku": sku, "grade": grade, "g": g,
                         "amount_fen": amount_fen, "event_id": position})
