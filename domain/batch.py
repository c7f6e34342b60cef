"""A harvest batch scanned into a cold store: its holds, its release or destruction, its grading."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, IdempotencyConflict, Invalid, NotFound
from domain.topics import stable_topics
from domain.values import GRAM, fen_for, id_for, kg


@stable_topics("Batch")
class Batch(Aggregate):
    @event("Received")
    def __init__(self, batch_code: str, site_id: str, farmer_id: str, sku: str,
                 harvested_at: datetime, net_kg: Decimal, crates: int | None,
                 temperature_c: Decimal | None, scanned_at: datetime, expires_at: datetime) -> None:
        self.batch_code, self.site_id, self.farmer_id, self.sku = batch_code, site_id, farmer_id, sku
        self.harvested_at, self.net_kg, self.crates = harvested_at, net_kg, crates
        self.temperature_c, self.scanned_at, self.expires_at = temperature_c, scanned_at, expires_at
        self.holds: list[dict[str, str]] = []
        self.on_hold = self.destroyed = False
        self.release_reason: str | None = None
        self.grading: dict[str, Any] | None = None

    @staticmethod
    def create_id(batch_code: str) -> UUID:
        return id_for("batch", batch_code)

    @classmethod
    def receive(cls, *, batch_code: str, site_id: str, farmer_id: str, sku: str,
                harvested_at: datetime, net_kg: Decimal, crates: int | None,
                temperature_c: Decimal | None, scanned_at: datetime, shelf_life_days: int,
                applications: list[dict[str, Any]]) -> Batch:
        """Scan a batch in; a harvest inside a pesticide's pre-harvest interval goes on hold."""
        if net_kg <= 0:
            raise Invalid("net_kg must be more than zero", field="net_kg")
        if crates is not None and crates <= 0:
            raise Invalid("crates must be a positive count", field="crates")
        if harvested_at > scanned_at:
            raise Invalid("harvested_at is after the intake scan", field="harvested_at")
        batch = cls(batch_code=batch_code, site_id=site_id, farmer_id=farmer_id, sku=sku,
                    harvested_at=harvested_at, net_kg=net_kg, crates=crates,
                    temperature_c=temperature_c, scanned_at=scanned_at,
                    expires_at=harvested_at + timedelta(days=shelf_life_days))
        for hold in phi_holds(harvested_at, applications):
            batch._put_on_hold(reason="pre_harvest_interval", detail=hold)
        return batch

    def check_same_intake(self, *, site_id: str, farmer_id: str, sku: str,
                          harvested_at: datetime, net_kg: Decimal) -> None:
        """The same scan twice is one intake; another batch under the same code is refused."""
        if (self.site_id, self.farmer_id, self.sku, self.harvested_at, self.net_kg) != (
                site_id, farmer_id, sku, harvested_at, net_kg):
            raise IdempotencyConflict(
                f"batch code {self.batch_code} was already scanned in: {self.net_kg} kg of "
                f"{self.sku} from farmer {self.farmer_id}; use a new label for another batch",
                batch_code=self.batch_code)

    @event("PutOnHold")
    def _put_on_hold(self, reason: str, detail: str) -> None:
        self.holds.append({"reason": reason, "detail": detail})
        self.on_hold = True

    def release(self, *, reason: str, released_at: datetime) -> None:
        """Staff release a hold with a reason; the same release sent twice is one release."""
        self._check_not_destroyed()
        if not self.on_hold:
            if self.holds and self.release_reason == reason:
                return
            raise NotOnHold(f"batch {self.batch_code} is not on hold", batch_code=self.batch_code)
        _check_reason(reason)
        self._released(reason=reason, released_at=released_at)

    @event("Released")
    def _released(self, reason: str, released_at: datetime) -> None:
        self.on_hold, self.release_reason = False, reason

    def destroy(self, *, reason: str, destroyed_at: datetime) -> None:
        if self.destroyed:
            return
        if self.grading is not None:
            raise Conflict(f"batch {self.batch_code} is already graded into stock; "
                           "its packs are recalled, not the batch destroyed")
        _check_reason(reason)
        self._destroyed(reason=reason, destroyed_at=destroyed_at)

    @event("Destroyed")
    def _destroyed(self, reason: str, destroyed_at: datetime) -> None:
        self.destroyed, self.on_hold = True, False

    def correct_net_kg(self, *, net_kg: Decimal, reason: str, corrected_at: datetime) -> None:
        """Correct a wrong intake weight, with the reason; the intake event stays as it was.
        Grading weighs against the corrected kg; a batch already graded cannot be corrected
        below what it was graded into (with reject), and its shrinkage follows the correction.
        The same correction sent twice is one correction."""
        self._check_not_destroyed()
        if net_kg <= 0:
            raise Invalid("net_kg must be more than zero", field="net_kg")
        if net_kg == self.net_kg:
            return
        _check_reason(reason)
        if corrected_at < self.scanned_at:
            raise Invalid("corrected_at is before the intake scan", field="corrected_at")
        if self.grading is not None:
            graded = sum(self.grading["grades_kg"].values(), Decimal(0)) + self.grading["reject_kg"]
            if net_kg < graded:
                raise MassBalanceExceeded(
                    f"graded {graded} kg (with reject) is more than the {net_kg} kg the correction "
                    f"says batch {self.batch_code} took in", intake_kg=str(net_kg),
                    graded_kg=str(graded))
        self._net_kg_corrected(net_kg=net_kg, was_kg=self.net_kg, reason=reason.strip(),
                               corrected_at=corrected_at)

    @event("NetKgCorrected")
    def _net_kg_corrected(self, net_kg: Decimal, was_kg: Decimal, reason: str,
                          corrected_at: datetime) -> None:
        self.net_kg = net_kg
        if self.grading is not None:
            graded = sum(self.grading["grades_kg"].values(), Decimal(0)) + self.grading["reject_kg"]
            self.grading = {**self.grading, "shrinkage_kg": (net_kg - graded).quantize(GRAM)}

    def grade(self, *, graded_at: datetime, grades: dict[str, Decimal], reject_kg: Decimal,
              price_fen_per_kg: dict[str, int]) -> None:
        """Sort into grades; graded + reject never exceeds the intake, and it happens once."""
        self._check_not_destroyed()
        if self.grading is not None:
            raise AlreadyGraded(f"batch {self.batch_code} was graded at "
                                f"{self.grading['graded_at'].isoformat()}", batch_code=self.batch_code)
        if self.on_hold:
            raise BatchOnHold(self.batch_code, self.holds)
        if graded_at < self.scanned_at:
            raise Invalid("graded_at is before the intake scan", field="graded_at")
        if not grades or all(v == 0 for v in grades.values()):
            raise Invalid("grading needs at least one grade with kg", field="grades")
        total = sum(grades.values(), Decimal(0)) + reject_kg
        if total > self.net_kg:
            raise MassBalanceExceeded(
                f"graded {total} kg (with reject) is more than the {self.net_kg} kg taken in "
                f"for batch {self.batch_code}", intake_kg=str(self.net_kg), graded_kg=str(total))
        self._graded(graded_at=graded_at, grades_kg=dict(grades), reject_kg=reject_kg,
                     shrinkage_kg=(self.net_kg - total).quantize(GRAM),
                     price_fen_per_kg=price_fen_per_kg,
                     earned_fen={g: fen_for(k, price_fen_per_kg[g]) for g, k in grades.items()})

    @event("Graded")
    def _graded(self, graded_at: datetime, grades_kg: dict[str, Decimal], reject_kg: Decimal,
                shrinkage_kg: Decimal, price_fen_per_kg: dict[str, int],
                earned_fen: dict[str, int]) -> None:
        self.grading = {"graded_at": graded_at, "grades_kg": grades_kg, "reject_kg": reject_kg,
                        "shrinkage_kg": shrinkage_kg, "price_fen_per_kg": price_fen_per_kg,
                        "earned_fen": earned_fen}

    def check_packable(self, *, sku: str, grade: str) -> None:
        """Only released, graded kg of the right product and grade can be packed."""
        self._check_not_destroyed()
        if self.on_hold:
            raise BatchOnHold(self.batch_code, self.holds)
        if self.sku != sku:
            raise Invalid(f"batch {self.batch_code} is {self.sku}, not {sku}", field="sources")
        if self.grading is None or grade not in self.grading["grades_kg"]:
            raise Conflict(f"batch {self.batch_code} has no graded kg of grade {grade}",
                           batch_code=self.batch_code)

    @property
    def status(self) -> str:
        if self.destroyed:
            return "destroyed"
        if self.on_hold:
            return "on_hold"
        return "graded" if self.grading else "in_storage"

    def _check_not_destroyed(self) -> None:
        if self.destroyed:
            raise Conflict(f"batch {self.batch_code} was destroyed", batch_code=self.batch_code)


def harvest_allowed_from(applied_at: datetime, phi_days: int | None) -> datetime | None:
    """When an input's pre-harvest interval runs out; None for an input that has none."""
    return None if phi_days is None else applied_at + timedelta(days=phi_days)


def phi_verdict(*, harvested_at: datetime, applied_at: datetime, phi_days: int | None) -> str:
    """The pre-harvest-interval rule for one input applied before a harvest: ``none`` when the
    input has no interval, ``ok`` when the harvest came once it had run out, ``inside`` when not
    (the batch goes on hold)."""
    safe_from = harvest_allowed_from(applied_at, phi_days)
    if safe_from is None:
        return "none"
    return "ok" if harvested_at >= safe_from else "inside"


def phi_holds(harvested_at: datetime, applications: list[dict[str, Any]]) -> list[str]:
    """One hold detail for each pesticide whose pre-harvest interval had not run out."""
    details = []
    for a in applications:
        phi_days = a.get("phi_days")
        if phi_verdict(harvested_at=harvested_at, applied_at=a["applied_at"],
                       phi_days=phi_days) == "inside":
            safe_from = harvest_allowed_from(a["applied_at"], phi_days)
            assert safe_from is not None
            details.append(
                f"{a['sku']} ({a.get('active_ingredient') or '?'}, lot {a['lot']}) applied "
                f"{a['applied_at'].date()}, pre-harvest interval {a['phi_days']} days: "
                f"harvest allowed from {safe_from.date()}")
    return details


def check_grades(grades: dict[str, Any], reject: Any) -> tuple[dict[str, Decimal], Decimal]:
    return ({g: kg(v, field=f"grades.{g}") for g, v in grades.items()},
            kg(reject, field="reject_kg"))


def _check_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise Invalid("a reason is required", field="reason")


class UnknownBatch(NotFound):
    def __init__(self, batch_code: str) -> None:
        super().__init__(f"no batch {batch_code} was scanned in", batch_code=batch_code)


class BatchOnHold(Conflict):
    def __init__(self, batch_code: str, holds: list[dict[str, str]]) -> None:
        reasons = "; ".join(h["detail"] for h in holds)
        super().__init__(f"batch {batch_code} is on hold ({reasons}); staff must release it first",
                         batch_code=batch_code, holds=holds)


class AlreadyGraded(Conflict):
    pass


class NotOnHold(Conflict):
    pass


class MassBalanceExceeded(Invalid):
    pass
