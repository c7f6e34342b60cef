"""承诺达标合格证: the compliance certificate the co-op issues once per batch it sells, when
the batch's packs first ship (the dispatch that carries them issues it).

It says what the batch is (product, quantity, origin with the farmer masked), who issues it
and how to reach them, when, what is promised and on what basis, and is kept at least six
months. A batch on hold, destroyed or in a recall cannot get one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.batch import Batch, phi_verdict
from domain.errors import Conflict
from domain.topics import stable_topics
from domain.values import id_for

PROMISES = ("no_banned_pesticides", "pre_harvest_intervals_kept", "residues_within_gb_2763")
KEEP = timedelta(days=183)  # at least six months


@stable_topics("Certificate")
class Certificate(Aggregate):
    class Issued(Aggregate.Created):
        """2: issued when the batch's packs first ship, on that shipment (``shipment_id``);
        None for one of version 1, issued when the batch was first packed."""
        class_version = 2
        batch_code: str
        sku: str
        product: str
        quantity_kg: Decimal
        village: str
        farmer: str
        issuer: str
        contact: str | None
        issued_at: datetime
        promises: list[str]
        basis: list[dict[str, Any]]
        shipment_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["shipment_id"] = None

    @event(Issued)
    def __init__(self, batch_code: str, sku: str, product: str, quantity_kg: Decimal,
                 village: str, farmer: str, issuer: str, contact: str | None,
                 issued_at: datetime, promises: list[str], basis: list[dict[str, Any]],
                 shipment_id: str | None = None) -> None:
        self.batch_code, self.sku, self.product = batch_code, sku, product
        self.quantity_kg, self.village, self.farmer = quantity_kg, village, farmer
        self.issuer, self.contact, self.issued_at = issuer, contact, issued_at
        self.promises, self.basis, self.shipment_id = promises, basis, shipment_id

    @staticmethod
    def create_id(batch_code: str) -> UUID:
        return id_for("certificate", batch_code)

    @classmethod
    def issue(cls, *, batch: Batch, product: str, village: str, farmer_name: str, issuer: str,
              contact: str | None, recalled: frozenset[str], at: datetime,
              applications: list[dict[str, Any]], shipment_id: str | None = None) -> Certificate:
        """The certificate of a batch whose packs first ship (on ``shipment_id``); its basis
        is the input records (and a self-check when there are none)."""
        if batch.on_hold or batch.destroyed:
            raise NotCertifiable(f"batch {batch.batch_code} is {batch.status}; it gets no "
                                 "certificate", batch_code=batch.batch_code)
        if batch.batch_code in recalled:
            raise NotCertifiable(f"batch {batch.batch_code} is in a recall; it gets no "
                                 "certificate", batch_code=batch.batch_code)
        basis = [{"kind": "input_records", "sku": a["sku"], "lot": a["lot"],
                  "applied_at": a["applied_at"],
                  "pre_harvest_interval": phi_verdict(harvested_at=batch.harvested_at,
                                                      applied_at=a["applied_at"],
                                                      phi_days=a.get("phi_days"))}
                 for a in applications] or [{"kind": "self_check"}]
        return cls(batch_code=batch.batch_code, sku=batch.sku, product=product,
                   quantity_kg=batch.net_kg, village=village, farmer=masked(farmer_name),
                   issuer=issuer, contact=contact, issued_at=at, promises=list(PROMISES),
                   basis=basis, shipment_id=shipment_id)

    @property
    def keep_until(self) -> datetime:
        return self.issued_at + KEEP


def masked(name: str) -> str:
    """A farmer's public name: the family name and a mask (张德明 → 张**)."""
    return (name[:1] + "**") if name else "**"


class NotCertifiable(Conflict):
    pass
