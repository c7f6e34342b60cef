"""Farmers and money: payments to farmers and their earnings statement."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from contract.fields import Code, Command, Happened, Public, Text, Visible, Weight, Whole


class PaymentCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"amount_fen": 50000, "paid_at": "2026-11-08T15:00:00+08:00",
         "method": "bank_transfer", "reference": "PAY-2026-11-08-f-zhang"}]})

    amount_fen: Annotated[int, Field(strict=True, ge=1, le=10**12), Whole]
    paid_at: Happened
    method: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$"),
                      Field(examples=["bank_transfer", "cash"]), Visible]
    reference: Text


class Payment(PaymentCreate):
    route = "POST /v1/farmers/{farmer_id}/payments"
    farmer_id: Code


class PaymentPublic(Public):
    farmer_id: str
    amount_fen: int
    reference: str


class AmountCorrection(Command):
    """A payment, a rent receipt or a capital contribution recorded wrong, as it should have
    been: the books post the reversal (红字) of its voucher and the voucher anew."""
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount_fen": 45000, "method": "bank_transfer", "reason": "录错金额",
         "corrected_at": "2026-11-09T10:00:00+08:00"}]})
    status = 200

    amount_fen: Annotated[int, Field(strict=True, ge=1, le=10**12), Whole]
    method: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$"),
                      Field(examples=["bank_transfer", "cash"]), Visible]
    reason: Text
    corrected_at: Happened


class PaymentCorrection(AmountCorrection):
    route = "POST /v1/farmers/{farmer_id}/payments/{reference}/correction"
    farmer_id: Code
    reference: Text


class PaymentCorrectionPublic(Public):
    farmer_id: str
    reference: str
    amount_fen: int
    method: str


class EarningsLine(Public):
    at: datetime
    kind: str
    ref: str
    event_id: int
    sku: str | None = None
    grade: str | None = None
    kg: Weight | None = None
    batch_code: str | None = None
    product_name: str | None = None
    shop_name: str | None = None
    items: list[dict[str, Any]] | None = None
    amount_fen: int


class EarningsPublic(Public):
    farmer_id: str
    farmer_name: str | None = None
    from_: datetime | None = Field(alias="from")
    to: datetime | None
    delivered_kg: Weight
    graded_kg: Weight
    graded_kg_by_grade: dict[str, Weight]
    earned_fen: int
    input_credit_fen: int
    paid_fen: int
    opening_balance_fen: int
    balance_fen: int
    lines: list[EarningsLine]



