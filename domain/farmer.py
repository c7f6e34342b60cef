"""A member farmer: who they are, their spray diary (input applications) and payments made to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.corrections import money_corrected, money_correction
from domain.errors import IdempotencyConflict, Invalid, NotFound
from domain.topics import stable_topics
from domain.values import id_for


@stable_topics("Farmer")
class Farmer(Aggregate):
    @event("Registered")
    def __init__(self, farmer_id: str, name: str, village: str, phone: str | None) -> None:
        self.farmer_id = farmer_id
        self.name, self.village, self.phone = name, village, phone
        self.applications: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.statements: dict[str, dict[str, Any]] = {}

    @staticmethod
    def create_id(farmer_id: str) -> UUID:
        return id_for("farmer", farmer_id)

    def correct_details(self, *, name: str, village: str, phone: str | None) -> None:
        if (name, village, phone) != (self.name, self.village, self.phone):
            self._details_corrected(name=name, village=village, phone=phone)

    @event("DetailsCorrected")
    def _details_corrected(self, name: str, village: str, phone: str | None) -> None:
        self.name, self.village, self.phone = name, village, phone

    def apply_input(self, *, application_id: str, sku: str, lot: str, applied_at: datetime,
                    crop_sku: str, active_ingredient: str | None, phi_days: int | None) -> None:
        """Record a spray-diary line; the same line twice is one line."""
        if application_id not in self.applications:
            self._input_applied(application_id=application_id, sku=sku, lot=lot,
                                applied_at=applied_at, crop_sku=crop_sku,
                                active_ingredient=active_ingredient, phi_days=phi_days)

    @event("InputApplied")
    def _input_applied(self, application_id: str, sku: str, lot: str, applied_at: datetime,
                       crop_sku: str, active_ingredient: str | None, phi_days: int | None) -> None:
        self.applications[application_id] = {
            "sku": sku, "lot": lot, "applied_at": applied_at, "crop_sku": crop_sku,
            "active_ingredient": active_ingredient, "phi_days": phi_days}

    def applications_to(self, crop_sku: str, harvested_at: datetime) -> list[dict[str, Any]]:
        """Applications that reach a harvest: same crop, applied on or before it was harvested."""
        return [dict(a, application_id=k) for k, a in self.applications.items()
                if a["crop_sku"] == crop_sku and a["applied_at"] <= harvested_at]

    def pay(self, *, amount_fen: int, paid_at: datetime, method: str, reference: str) -> None:
        """A payment is known by its reference: sending it twice pays once."""
        if amount_fen <= 0:
            raise Invalid("amount_fen must be a positive number of fen", field="amount_fen")
        earlier = self.payments.get(reference)
        if earlier is not None:
            first = earlier.get("first", earlier)  # what the payment said before a correction
            if (first["amount_fen"], first["method"]) != (amount_fen, method):
                raise IdempotencyConflict(
                    f"payment reference {reference} was already used for "
                    f"{first['amount_fen']} fen by {first['method']}")
            return
        self._paid(amount_fen=amount_fen, paid_at=paid_at, method=method, reference=reference)

    @event("Paid")
    def _paid(self, amount_fen: int, paid_at: datetime, method: str, reference: str) -> None:
        self.payments[reference] = {"amount_fen": amount_fen, "paid_at": paid_at, "method": method}

    def correct_payment(self, *, correction_id: str, reference: str, amount_fen: int,
                        method: str, reason: str, corrected_at: datetime) -> bool:
        """A payment recorded wrong (amount or method), as it should have been: the books post
        its reversal (红字) and the payment anew. Answers whether a correction was recorded."""
        change = money_correction(
            self, self.payments, correction_id=correction_id, reference=reference,
            amount_fen=amount_fen, method=method, reason=reason,
            unknown=NotFound(f"no payment {reference} to {self.farmer_id}",
                             farmer_id=self.farmer_id, reference=reference))
        if change is None:
            return False
        self._payment_corrected(corrected_at=corrected_at, **change)
        return True

    @event("PaymentCorrected")
    def _payment_corrected(self, correction_id: str, said: dict[str, Any], reference: str,
                           reason: str, corrected_at: datetime, was: dict[str, Any],
                           now: dict[str, Any]) -> None:
        money_corrected(self, self.payments, correction_id=correction_id, said=said,
                        reference=reference, was=was, now=now)

    def issue_statement(self, *, period_from: datetime, period_to: datetime,
                        totals: dict[str, Any], issued_at: datetime) -> bool:
        """Issue the statement of a closed period; the same figures again record nothing, other
        figures (a late correction) issue a revised statement. Answers whether one was issued."""
        if period_to <= period_from:
            raise Invalid("a statement period must end after it starts", field="period_to")
        earlier = self.statements.get(_period(period_from, period_to))
        if earlier is not None and earlier["totals"] == totals:
            return False
        self._statement_issued(period_from=period_from, period_to=period_to, totals=dict(totals),
                               revision=earlier["revision"] + 1 if earlier else 1,
                               issued_at=issued_at)
        return True

    @event("StatementIssued")
    def _statement_issued(self, period_from: datetime, period_to: datetime,
                          totals: dict[str, Any], revision: int, issued_at: datetime) -> None:
        self.statements[_period(period_from, period_to)] = {"totals": totals, "revision": revision}


def _period(period_from: datetime, period_to: datetime) -> str:
    return f"{period_from.isoformat()}/{period_to.isoformat()}"


class UnknownFarmer(NotFound):
    def __init__(self, farmer_id: str) -> None:
        super().__init__(f"no farmer {farmer_id} is registered", farmer_id=farmer_id)


def balance_fen(*, earned_fen: int, input_credit_fen: int, paid_fen: int,
                opening_fen: int = 0) -> int:
    """What the co-op owes a farmer: the opening balance plus what grading earned them, less
    the inputs they took on credit and what they were paid (negative: the farmer owes)."""
    return opening_fen + earned_fen - input_credit_fen - paid_fen
