"""Co-op assets let to tenants: a lease signed, rent falling due month by month, receipts.

Loads ``AccountingUnit``; saves ``Asset`` and ``Lease``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.lease import Asset, Lease, UnknownLease
from domain.usecases.books import load_unit
from domain.usecases.store import Store, command


@command
def register_asset(store: Store, *, asset_id: str, unit_id: str, name: str, kind: str,
                   location: str, area_m2: int | None, value_fen: int,
                   acquired: str) -> dict[str, Any]:
    """A co-op asset's card, or its correction: PUT semantics, safe to repeat."""
    load_unit(store, unit_id)
    Asset.check(kind=kind, area_m2=area_m2, value_fen=value_fen, acquired=acquired)
    asset = store.find(Asset.create_id(asset_id))
    if asset is None:
        asset = Asset(asset_id=asset_id, unit_id=unit_id, name=name, kind=kind,
                      location=location, area_m2=area_m2, value_fen=value_fen, acquired=acquired)
    else:
        asset.correct(unit_id=unit_id, name=name, kind=kind, location=location,
                      area_m2=area_m2, value_fen=value_fen, acquired=acquired)
    store.save(asset)
    return dict(asset.card())


@command
def sign_lease(store: Store, *, lease_id: str, unit_id: str, asset: str, tenant: str,
               monthly_rent_fen: int, starts: str, ends: str) -> dict[str, Any]:
    """A lease of a unit's asset; signing the same lease again records nothing."""
    load_unit(store, unit_id)
    lease = Lease.sign(lease_id=lease_id, unit_id=unit_id, asset=asset, tenant=tenant,
                       monthly_rent_fen=monthly_rent_fen, starts=starts, ends=ends)
    earlier = store.find(lease.id)
    if earlier is not None:
        earlier.same_terms(lease)
        lease = earlier
    else:
        store.save(lease)
    return lease_answer(lease)


@command
def charge_rent(store: Store, *, lease_id: str, through: str) -> dict[str, Any]:
    """Rent falls due for every month of the lease up to ``through`` (the monthly job's call;
    a month already charged is not charged again)."""
    lease = load_lease(store, lease_id)
    lease.charge_through(through)
    store.save(lease)
    return lease_answer(lease)


@command
def receive_rent(store: Store, *, lease_id: str, amount_fen: int, received_at: datetime,
                 method: str, reference: str) -> dict[str, Any]:
    lease = load_lease(store, lease_id)
    lease.receive(amount_fen=amount_fen, received_at=received_at, method=method,
                  reference=reference)
    store.save(lease)
    return lease_answer(lease)


def load_lease(store: Store, lease_id: str) -> Lease:
    return store.load(Lease, Lease.create_id(lease_id), UnknownLease(lease_id))


def lease_answer(lease: Lease) -> dict[str, Any]:
    return {"lease_id": lease.lease_id, "unit_id": lease.unit_id, "asset": lease.asset,
            "tenant": lease.tenant, "monthly_rent_fen": lease.monthly_rent_fen,
            "starts": lease.starts, "ends": lease.ends, "months_due": sorted(lease.due),
            "due_fen": sum(lease.due.values()), "arrears_fen": lease.arrears_fen}


@command
def correct_rent_receipt(store: Store, *, lease_id: str, reference: str, amount_fen: int,
                         method: str, reason: str, corrected_at: datetime) -> dict[str, Any]:
    """A rent receipt recorded wrong, corrected: the books reverse it and post it anew."""
    lease = load_lease(store, lease_id)
    lease.correct_receipt(reference=reference, amount_fen=amount_fen, method=method,
                          reason=reason, corrected_at=corrected_at)
    store.save(lease)
    return lease_answer(lease)
