"""An input shop's sale of farm inputs to a member farmer, in cash or on credit (赊销)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

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
        if (self.shop_id, self.farmer_id, self.sold_at, self.payment, self.lines) != (
                other.shop_id, other.farmer_id, other.sold_at, other.payment, other.lines):
            raise IdempotencyConflict("this idempotency key was used for a different sale")


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
