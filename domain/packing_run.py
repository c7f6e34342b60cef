"""A packing run: one command at a cold store's line that turned graded kg into coded packs.

Its id is the command's (the same key, the same run), so a scanner repeating the command
finds the run and is answered the same codes; what the run drew and packed is the stock's
``Packed`` event, recorded with it. The run also keeps which batches its packs hold (the
draws of that event), so a dispatch knows the batches it carries (their certificates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.stock import pack_codes
from domain.topics import stable_topics


@stable_topics("PackingRun")
class PackingRun(Aggregate):
    class Recorded(Aggregate.Created):
        """2: ``draws`` (each batch drawn, with ``first_pack``/``last_pack`` unless ``mixed``)
        as the stock's ``Packed`` says; None for a run of version 1 (its batches were
        certified when packed)."""
        class_version = 2
        site_id: str
        sku: str
        grade: str
        count: int
        packed_at: datetime
        draws: list[dict[str, Any]] | None
        mixed: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["draws"], state["mixed"] = None, True

    @event(Recorded)
    def __init__(self, id: UUID, site_id: str, sku: str, grade: str, count: int,
                 packed_at: datetime, draws: list[dict[str, Any]] | None = None,
                 mixed: bool = False) -> None:
        self.site_id, self.sku, self.grade = site_id, sku, grade
        self.count, self.packed_at = count, packed_at
        self.draws, self.mixed = draws, mixed

    @property
    def pack_codes(self) -> list[str]:
        return pack_codes(self.id, self.count)

    def batches_of(self, pack_code: str) -> list[str] | None:
        """The batches a pack of this run holds (None: a run recorded before runs kept them)."""
        if self.draws is None:
            return None
        seq = int(pack_code.rsplit("-", 1)[1])
        return sorted({d["batch_code"] for d in self.draws
                       if self.mixed or d.get("first_pack") is None
                       or d["first_pack"] <= seq <= d["last_pack"]})
