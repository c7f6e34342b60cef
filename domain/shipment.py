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
    class Departed(Aggregate.Created):
        """2: each pack of the manifest names the batches it holds (``batch_codes``: the
        batches whose certificates this dispatch carries); None in a manifest of version 1."""
        class_version = 2
        order_id: str
        outlet_id: str
        packs: list[dict[str, Any]]
        departed_at: datetime
        vehicle: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["packs"] = [{**p, "batch_codes": None} for p in state["packs"]]

    @event(Departed)
    def __init__(self, id: UUID, order_id: str, outlet_id: str, packs: list[dict[str, Any]],
                 departed_at: datetime, vehicle: str | None) -> None:
        """``packs`` is the manifest: each pack's code, product, grade, weight, expiry and the
        batches it holds."""
        self.order_id, self.outlet_id, self.packs = order_id, outlet_id, packs
        self.pack_codes = [p["pack_code"] for p in packs]
        self.departed_at, self.vehicle = departed_at, vehicle
        self.delivery: dict[str, Any] | None = None

    @property
    def batch_codes(self) -> list[str]:
        """The batches the shipment's packs hold, as its manifest says."""
        return sorted({b for p in self.packs for b in p.get("batch_codes") or []})

    def check_same(self, *, order_id: str, pack_codes: list[str]) -> None:
        if (self.order_id, sorted(self.pack_codes)) != (order_id, sorted(pack_codes)):
            raise IdempotencyConflict("this idempotency key was used for a different shipment")

    def deliver(self, *, received_at: datetime, pack_codes: list[str],
                recalled: dict[str, str] | None = None) -> dict[str, Any]:
        """The outlet scans what arrived; missing and unexpected packs are recorded, not fixed.
        A recalled pack scanned (``recalled``: pack code → the recall that holds it) is set
        aside, not received: the delivery names it refused, with its recall."""
        scanned = list(dict.fromkeys(pack_codes))
        if self.delivery is not None:
            if sorted(scanned) != sorted(self.delivery["scanned"]):
                raise Conflict("this shipment's delivery was already confirmed with other packs")
            return self.delivery
        if received_at < self.departed_at:
            raise Conflict("received_at is before the shipment departed")
        recalled = recalled or {}
        kept = [c for c in scanned if c not in recalled]
        self._delivered(received_at=received_at, scanned=scanned,
                        received=[c for c in kept if c in self.pack_codes],
                        missing=[c for c in self.pack_codes if c not in scanned],
                        unexpected=[c for c in kept if c not in self.pack_codes],
                        refused=[{"pack_code": c, "recall_id": recalled[c]}
                                 for c in scanned if c in recalled])
        assert self.delivery is not None
        return self.delivery

    class Delivered(Aggregate.Event):
        """2: ``refused``, the recalled packs scanned and set aside (each with its recall);
        none in a delivery of version 1 (a delivery holding one was refused whole)."""
        class_version = 2
        received_at: datetime
        scanned: list[str]
        received: list[str]
        missing: list[str]
        unexpected: list[str]
        refused: list[dict[str, str]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["refused"] = []

    @event(Delivered)
    def _delivered(self, received_at: datetime, scanned: list[str], received: list[str],
                   missing: list[str], unexpected: list[str], refused: list[dict[str, str]]) -> None:
        self.delivery = {"received_at": received_at, "scanned": scanned, "received": received,
                         "missing": missing, "unexpected": unexpected, "refused": refused}

    @property
    def status(self) -> str:
        return "delivered" if self.delivery else "in_transit"


class UnknownShipment(NotFound):
    def __init__(self, shipment_id: str) -> None:
        super().__init__(f"no shipment {shipment_id}", shipment_id=shipment_id)
