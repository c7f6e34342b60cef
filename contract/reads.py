"""Answers of the read models, for the OpenAPI description (API.md gives their shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class CatalogEntryPublic(BaseModel):
    sku: str
    name: str
    grade: str
    pack_kg: float
    packs_available: int
    nearest_expiry: datetime | None


class StockLevelPublic(BaseModel):
    site_id: str
    sku: str
    grade: str
    graded_kg_unpacked: float
    packs_available: int
    packs_reserved: int
    packs_in_transit: int
    packs_at_outlets: int
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


class EventPublic(BaseModel):
    notification_id: int
    event_type: str
    aggregate_type: str
    aggregate_id: str
    version: int
    occurred_at: datetime | None
    data: dict[str, Any]
