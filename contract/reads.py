"""Answers of the read models, for the OpenAPI description (API.md gives their shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

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
