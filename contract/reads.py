"""Answers of the read models, for the OpenAPI description (API.md gives their shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from contract.fields import Public, Weight


class CatalogEntryPublic(Public):
    sku: str
    name: str
    grade: str
    pack_kg: Weight
    packs_available: int
    nearest_expiry: datetime | None


class StockLevelPublic(Public):
    site_id: str
    sku: str
    grade: str
    graded_kg_unpacked: Weight
    packs_available: int
    packs_reserved: int
    packs_in_transit: int
    packs_at_outlets: int
    packs_sold: int
    packs_missing: int
    packs_expired: int
    packs_pulled: int = Field(0, description="recalled: pulled off a shelf or set aside at a "
                                             "delivery")
    packs_quarantined: int = Field(0, description="recalled: in quarantine at the cold store")
    packs_destroyed: int = Field(0, description="recalled: destroyed")
    packs_recalled: int = Field(0, description="recalled and still in the cold store, waiting "
                                               "to be quarantined: never available")
    at_outlets: dict[str, int]
    unexpected_at_outlets: dict[str, int]
    oldest_packed_at: datetime | None
    nearest_expiry: datetime | None


class TracePublic(BaseModel):
    """Backward from a pack or a batch to the farmers, inputs and cold chain behind it; the
    farmer's name is masked (张**), no phone, no money."""

    code: str
    kind: str
    product: Any
    status: str
    sources: list[dict[str, Any]]
    cold_chain: dict[str, Any]


class EventPublic(Public):
    notification_id: int
    event_type: str
    aggregate_type: str
    aggregate_id: str
    version: int
    occurred_at: datetime | None
    data: dict[str, Any]


class ReachedFarmer(Public):
    farmer_id: str
    name: str | None
    village: str | None
    bought: bool | None = Field(None, description="for an input lot: bought it at a co-op shop")
    applied: bool | None = Field(None, description="for an input lot: recorded applying it")


class ReachedBatch(Public):
    batch_code: str
    farmer_id: str
    sku: str
    site_id: str
    harvested_at: datetime
    status: str


class ReachedPack(Public):
    pack_code: str
    sku: str
    grade: str
    run_id: str
    batch_codes: list[str] = Field(description="the batches of the reach this pack holds")
    site_id: str
    status: str
    order_id: str | None
    shipment_id: str | None
    outlet_id: str | None
    sold_at: datetime | None


class ReachedShipment(Public):
    shipment_id: str
    order_id: str
    outlet_id: str
    departed_at: datetime | None
    delivered_at: datetime | None
    packs: int = Field(description="packs of the reach on it")


class OutletPacks(Public):
    at_outlet: int
    sold: int
    missing: int


class ReachedOutlet(Public):
    site_id: str
    name: str | None
    packs: OutletPacks


class ReachPublic(Public):
    """Forward from an input lot or a batch: what a recall of it would reach."""

    input_lot: str | None
    batch_code: str | None
    farmers: list[ReachedFarmer]
    batches: list[ReachedBatch]
    packs: list[ReachedPack]
    shipments: list[ReachedShipment]
    outlets: list[ReachedOutlet]
    packs_by_status: dict[str, int]
