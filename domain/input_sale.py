"""An input shop's sale of farm inputs to a member farmer, in cash or on credit (赊销); a sale
recorded with a wrong quantity or price is corrected (``domain.corrections``), never edited."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.corrections import check_reason, corrections, repeated
from domain.errors import IdempotencyConflict, Invalid
from domain.topics import stable_topics
from domain.values import fen_for, kg

PAYMENTS = ("cash", "credit")


@stable_topics("InputSale")
class InputSale(Aggregate):
    @event("Recorded")
    def __init__(self, id: UUID, shop_id: str, farmer_id: str, sold_at: datetime, payment: str,
                 lines: list[dict[str, Any]], total_fen: int) -> None:
        self.shop_id, self.farmer_id, self.sold_at = shop_id, farmer_id, sold_at
        self.payment, self.lines, self.total_fen = payment, lines, total_fen
        self.first_lines = lines  # what the sale said, for its command sent again

    @classmethod
    def record(cls, *, sale_id: UUID, shop_id: str, farmer_id: str, sold_at: datetime,
               payment: str, lines: list[dict[str, Any]]) -> InputSale:
        if payment not in PAYMENTS:
            raise Invalid("payment must be cash or credit", field="payment")
        if not lines:
            raise Invalid("a sale needs at least one line", field="lines")
        priced = [_line(i, line) for i, line in enumerate(lines)]
        return cls(id=sale_id, shop_id=shop_id, farmer_id=farmer_id, sold_at=sold_at,
                   payment=payment, lines=priced, total_fen=sum(p["line_fen"] for p in priced))

    def check_same(self, other: InputSale) -> None:
        """A repeated sale command must say what the first said."""
        if (self.shop_id, self.farmer_id, self.sold_at, self.payment, self.first_lines) != (
                other.shop_id, other.farmer_id, other.sold_at, other.payment, other.lines):
            raise IdempotencyConflict("this idempotency key was used for a different sale")

    def correct(self, *, correction_id: str, lines: list[dict[str, Any]], reason: str,
                corrected_at: datetime) -> bool:
        """The sale's quantities and unit prices as they should have been, one per line in
        order (products and lots stay): records what it was and what it is. Answers whether
        a correction was recorded (the same one again, or one changing nothing: none)."""
        said = {"lines": [{"quantity": str(line["quantity"]),
                           "unit_price_fen": line["unit_price_fen"]} for line in lines],
                "reason": reason}
        if repeated(self, correction_id, said):
            return False
        if len(lines) != len(self.lines):
            raise Invalid(f"the sale has {len(self.lines)} lines; correct each of them in order",
                          field="lines")
        now = [_line(i, dict(old, quantity=new["quantity"], unit_price_fen=new["unit_price_fen"]))
               for i, (old, new) in enumerate(zip(self.lines, lines, strict=True))]
        why = check_reason(reason)
        if now == self.lines:
            return False
        self._corrected(correction_id=correction_id, said=said, reason=why,
                        corrected_at=corrected_at, farmer_id=self.farmer_id,
                        payment=self.payment,
                        was={"lines": self.lines, "total_fen": self.total_fen},
                        now={"lines": now, "total_fen": sum(line["line_fen"] for line in now)})
        return True

    @event("Corrected")
    def _corrected(self, correction_id: str, said: dict[str, Any], reason: str,
                   corrected_at: datetime, farmer_id: str, payment: str, was: dict[str, Any],
                   now: dict[str, Any]) -> None:
        """``farmer_id`` and ``payment``: the sale's, as recorded (a correction keeps them)."""
        corrections(self)[correction_id] = said
        self.lines, self.total_fen = now["lines"], now["total_fen"]



def credit_fen(payment: str, total_fen: int) -> int | None:
    """What a sale puts on the farmer's account, to be set against their earnings: the whole
    total of a sale on credit; nothing for cash (None: no line on the statement)."""
    return total_fen if payment == "credit" else None


def _line(index: int, line: dict[str, Any]) -> dict[str, Any]:
    field = f"lines[{index}]"
    quantity: Decimal = kg(line["quantity"], field=f"{field}.quantity")
    price = line["unit_price_fen"]
    if quantity <= 0:
        raise Invalid("quantity must be positive", field=f"{field}.quantity")
    if isinstance(price, bool) or not isinstance(price, int) or price < 0:
        raise Invalid("unit_price_fen must be a whole number of fen", field=f"{field}.unit_price_fen")
    if not line.get("lot"):
        raise Invalid("every input line names its lot, for recalls", field=f"{field}.lot")
    return {"sku": line["sku"], "lot": line["lot"], "quantity": quantity,
            "unit_price_fen": price, "line_fen": fen_for(quantity, price)}
