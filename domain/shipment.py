"""A truck's load of packs for one order, and what the outlet found when it arrived."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, IdempotencyConflict, NotFound
from domain.topics import stable_topics


@stable_topics("Shipment")
class Shipment(Aggregate):
    @event("Departed")
    def __init__(self, id: UUID, order_id: str, outlet_id: str, packs: list[dict[str, Any]],
                 departed_at: datetime, vehicle: str | None) -> None:
        """``packs`` is the manifest: each pack's code, product, grade, weight and expiry."""
        self.order_id, self.outlet_id, self.packs = order_id, outlet_id, packs
        self.pack_codes = [p["pack_code"] for p in packs]
        self.departed_at, self.vehicle = departed_at, vehicle
        self.delivery: dict[str, Any] | None = None

    def check_same(self, *, order_id: str, pack_codes: list[str]) -> None:
        if (self.order_id, sorted(self.pack_codes)) != (order_id, sorted(pack_codes)):
            raise IdempotencyConflict("this idempotency key was used for a different shipment")

    def deliver(self, *, received_at: datetime, pack_codes: list[str]) -> dict[str, Any]:
        """The outlet scans what arrived; missing and unexpected packs are recorded, not fixed."""
        scanned = list(dict.fromkeys(pack_codes))
        if self.delivery is not None:
            if sorted(scanned) != sorted(self.delivery["scanned"]):
                raise Conflict("this shipment's delivery was already confirmed with other packs")
            return self.delivery
        if received_at < self.departed_at:
            raise Conflict("received_at is before the shipment departed")
        self._delivered(received_at=received_at, scanned=scanned,
                        received=[c for c in scanned if c in self.pack_codes],
                        missing=[c for c in self.pack_codes if c not in scanned],
                        unexpected=[c for c in scanned if c not in self.pack_codes])
        assert self.delivery is not None
        return self.delivery

    @event("Delivered")
    def _delivered(self, received_at: datetime, scanned: list[str], received: list[str],
                   missing: list[str], unexpected: list[str]) -> None:
        self.delivery = {"received_at": received_at, "scanned": scanned, "received": received,
                         "missing": missing, "unexpected": unexpected}

    @property
    def status(self) -> str:
        return "delivered" if self.delivery else "in_transit"


class UnknownShipment(NotFound):
    def __init__(self, shipment_id: str) -> None:
        super().__init__(f"no shipment {shipment_id}", shipment_id=shipment_id)
