"""A packing run: one command at a cold store's line that turned graded kg into coded packs.

Its id is the command's (the same key, the same run), so a scanner repeating the command
finds the run and is answered the same codes; what the run drew and packed is the stock's
``Packed`` event, recorded with it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.stock import pack_codes
from domain.topics import stable_topics


@stable_topics("PackingRun")
class PackingRun(Aggregate):
    @event("Recorded")
    def __init__(self, id: UUID, site_id: str, sku: str, grade: str, count: int,
                 packed_at: datetime) -> None:
        self.site_id, self.sku, self.grade = site_id, sku, grade
        self.count, self.packed_at = count, packed_at

    @property
    def pack_codes(self) -> list[str]:
        return pack_codes(self.id, self.count)
