"""A cold room's temperature log, with every reading outside a stored product's range."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.product import Range, outside_range
from domain.topics import stable_topics
from domain.values import id_for


@stable_topics("ColdRoom")
class ColdRoom(Aggregate):
    @event("Opened")
    def __init__(self, site_id: str, room: str) -> None:
        self.site_id, self.room = site_id, room
        self.last_at: datetime | None = None

    @staticmethod
    def create_id(site_id: str, room: str) -> UUID:
        return id_for("cold_room", f"{site_id}/{room}")

    def log(self, *, readings: list[dict[str, Any]],
            ranges: dict[str, Range]) -> list[dict[str, Any]]:
        """Log new readings (a resent one, at or before the last, is already logged); answers
        the excursions: each reading outside the range of a product, naming the products."""
        fresh = sorted((r for r in readings if self.last_at is None or r["at"] > self.last_at),
                       key=lambda r: r["at"])
        excursions = [e for e in (_excursion(r, ranges) for r in fresh) if e]
        if fresh:
            self._readings_logged(readings=fresh, excursions=excursions)
        return excursions

    @event("ReadingsLogged")
    def _readings_logged(self, readings: list[dict[str, Any]],
                         excursions: list[dict[str, Any]]) -> None:
        self.last_at = readings[-1]["at"]


def _excursion(reading: dict[str, Any], ranges: dict[str, Range]) -> dict[str, Any] | None:
    c = reading["celsius"]
    skus = sorted(sku for sku, allowed in ranges.items() if outside_range(c, allowed))
    return {"at": reading["at"], "celsius": c, "skus": skus} if skus else None
