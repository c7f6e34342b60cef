"""A co-op asset's card (社有资产卡片) and its leases. An asset card: what the unit owns (a shop
front, a warehouse, land, a building), where, its area and original value, and since when; a
lease names the asset (its card's id, or a description for an asset with no card yet).

A lease of a co-op asset to a tenant, the main income of most grassroots units: rent falls
due monthly from the first month of the lease to its last (months, ``YYYY-MM``), each month
once; receipts are known by their reference and never exceed what is due. What is due and
not received is the tenant's arrears."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, IdempotencyConflict, Invalid, NotFound
from domain.topics import stable_topics
from domain.values import id_for

ASSET_KINDS = ("shop_front", "warehouse", "land", "building", "equipment", "other")


@stable_topics("Asset")
class Asset(Aggregate):
    """A co-op asset's card; correcting it records only what changed."""

    @event("Registered")
    def __init__(self, asset_id: str, unit_id: str, name: str, kind: str, location: str,
                 area_m2: int | None, value_fen: int, acquired: str) -> None:
        self.asset_id, self.unit_id = asset_id, unit_id
        self._set(name, kind, location, area_m2, value_fen, acquired)

    @staticmethod
    def create_id(asset_id: str) -> UUID:
        return id_for("asset", asset_id)

    @staticmethod
    def check(*, kind: str, area_m2: int | None, value_fen: int, acquired: str) -> None:
        if area_m2 is not None and (isinstance(area_m2, bool) or not isinstance(area_m2, int)
                                    or area_m2 <= 0):
            raise Invalid("area_m2 is a whole number of square metres", field="area_m2")
        if kind not in ASSET_KINDS:
            raise Invalid(f"kind must be one of {', '.join(ASSET_KINDS)}", field="kind")
        if isinstance(value_fen, bool) or not isinstance(value_fen, int) or value_fen < 0:
            raise Invalid("value_fen must be a whole number of fen", field="value_fen")
        check_month(acquired, "acquired")

    def correct(self, *, unit_id: str, name: str, kind: str, location: str,
                area_m2: int | None, value_fen: int, acquired: str) -> None:
        if unit_id != self.unit_id:
            raise Conflict(f"asset {self.asset_id} is unit {self.unit_id}'s; a card does not "
                           "move between units", unit_id=self.unit_id)
        if (name, kind, location, area_m2, value_fen, acquired) != (
                self.name, self.kind, self.location, self.area_m2, self.value_fen, self.acquired):
            self._corrected(name=name, kind=kind, location=location, area_m2=area_m2,
                            value_fen=value_fen, acquired=acquired)

    @event("Corrected")
    def _corrected(self, name: str, kind: str, location: str, area_m2: int | None,
                   value_fen: int, acquired: str) -> None:
        self._set(name, kind, location, area_m2, value_fen, acquired)

    def _set(self, name: str, kind: str, location: str, area_m2: int | None, value_fen: int,
             acquired: str) -> None:
        self.name, self.kind, self.location, self.area_m2 = name, kind, location, area_m2
        self.value_fen, self.acquired = value_fen, acquired

    def card(self) -> dict[str, Any]:
        return {"asset_id": self.asset_id, "unit_id": self.unit_id, "name": self.name,
                "kind": self.kind, "location": self.location, "area_m2": self.area_m2,
                "value_fen": self.value_fen, "acquired": self.acquired}


@stable_topics("Lease")
class Lease(Aggregate):
    @event("Signed")
    def __init__(self, lease_id: str, unit_id: str, asset: str, tenant: str,
                 monthly_rent_fen: int, starts: str, ends: str) -> None:
        self.lease_id, self.unit_id, self.asset, self.tenant = lease_id, unit_id, asset, tenant
        self.monthly_rent_fen, self.starts, self.ends = monthly_rent_fen, starts, ends
        self.due: dict[str, int] = {}  # "YYYY-MM" → fen
        self.receipts: dict[str, dict[str, Any]] = {}  # reference → amount, when, method

    @staticmethod
    def create_id(lease_id: str) -> UUID:
        return id_for("lease", lease_id)

    @classmethod
    def sign(cls, *, lease_id: str, unit_id: str, asset: str, tenant: str,
             monthly_rent_fen: int, starts: str, ends: str) -> Lease:
        if isinstance(monthly_rent_fen, bool) or not isinstance(monthly_rent_fen, int) \
                or monthly_rent_fen <= 0:
            raise Invalid("monthly_rent_fen must be a positive number of fen",
                          field="monthly_rent_fen")
        if check_month(ends, "ends") < check_month(starts, "starts"):
            raise Invalid("a lease ends in or after the month it starts", field="ends")
        return cls(lease_id=lease_id, unit_id=unit_id, asset=asset, tenant=tenant,
                   monthly_rent_fen=monthly_rent_fen, starts=starts, ends=ends)

    def same_terms(self, other: Lease) -> None:
        if (self.unit_id, self.asset, self.tenant, self.monthly_rent_fen, self.starts,
                self.ends) != (other.unit_id, other.asset, other.tenant, other.monthly_rent_fen,
                               other.starts, other.ends):
            raise IdempotencyConflict(f"lease {self.lease_id} was signed on other terms")

    def charge_through(self, month: str) -> list[str]:
        """Rent falls due for every month of the lease up to ``month`` not charged yet;
        answers the months charged now."""
        charged = [m for m in lease_months(self.starts, self.ends, check_month(month))
                   if m not in self.due]
        for m in charged:
            self._rent_due(month=m, amount_fen=self.monthly_rent_fen)
        return charged

    @event("RentDue")
    def _rent_due(self, month: str, amount_fen: int) -> None:
        self.due[month] = amount_fen

    @property
    def arrears_fen(self) -> int:
        return sum(self.due.values()) - sum(r["amount_fen"] for r in self.receipts.values())

    def receive(self, *, amount_fen: int, received_at: datetime, method: str,
                reference: str) -> None:
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise Invalid("amount_fen must be a positive number of fen", field="amount_fen")
        earlier = self.receipts.get(reference)
        if earlier is not None:
            if (earlier["amount_fen"], earlier["method"]) != (amount_fen, method):
                raise IdempotencyConflict(f"receipt {reference} was already recorded for "
                                          f"{earlier['amount_fen']} fen")
            return
        if amount_fen > self.arrears_fen:
            raise MoreThanDue(f"{self.tenant} owes {self.arrears_fen} fen on lease "
                              f"{self.lease_id}, less than {amount_fen}",
                              arrears_fen=self.arrears_fen)
        self._rent_received(amount_fen=amount_fen, received_at=received_at, method=method,
                            reference=reference)

    @event("RentReceived")
    def _rent_received(self, amount_fen: int, received_at: datetime, method: str,
                       reference: str) -> None:
        self.receipts[reference] = {"amount_fen": amount_fen, "received_at": received_at,
                                    "method": method}


    def correct_receipt(self, *, reference: str, amount_fen: int, method: str, reason: str,
                        corrected_at: datetime) -> None:
        """A receipt recorded wrong (amount or method): the receipt as it should have been,
        with the reason; the books post its reversal (红字) and the receipt anew. The same
        correction again records nothing; more than is due is refused."""
        earlier = self.receipts.get(reference)
        if earlier is None:
            raise NotFound(f"no receipt {reference} on lease {self.lease_id}",
                           lease_id=self.lease_id, reference=reference)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise Invalid("amount_fen must be a positive number of fen", field="amount_fen")
        if not reason or not reason.strip():
            raise Invalid("a correction says why", field="reason")
        if (earlier["amount_fen"], earlier["method"]) == (amount_fen, method):
            return
        if amount_fen > self.arrears_fen + earlier["amount_fen"]:
            owed = self.arrears_fen + earlier["amount_fen"]
            raise MoreThanDue(f"{self.tenant} owed {owed} fen on lease {self.lease_id} before "
                              f"this receipt, less than {amount_fen}", arrears_fen=owed)
        self._receipt_corrected(
            reference=reference, was={"amount_fen": earlier["amount_fen"],
                                      "method": earlier["method"]},
            now={"amount_fen": amount_fen, "method": method}, reason=reason.strip(),
            corrected_at=corrected_at)

    @event("ReceiptCorrected")
    def _receipt_corrected(self, reference: str, was: dict[str, Any], now: dict[str, Any],
                           reason: str, corrected_at: datetime) -> None:
        self.receipts[reference] = {**self.receipts[reference], **now}


def check_month(month: str, field: str = "month") -> str:
    try:
        datetime.strptime(month, "%Y-%m")
    except (TypeError, ValueError):
        raise Invalid(f"{field} is a month, YYYY-MM", field=field) from None
    return month


def lease_months(starts: str, ends: str, through: str) -> list[str]:
    """The months ``YYYY-MM`` of a lease from its first to its last, up to ``through``."""
    months, year, month = [], int(starts[:4]), int(starts[5:])
    last = min(ends, through)
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class MoreThanDue(Conflict):
    pass


class UnknownLease(NotFound):
    def __init__(self, lease_id: str) -> None:
        super().__init__(f"no lease {lease_id}", lease_id=lease_id)
