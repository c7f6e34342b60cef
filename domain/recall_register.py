"""What open recalls block: the co-op's one register of recalled packs and batches.

Reserving, shipping, delivering and selling read it (never save it), so its check costs a
frozenset lookup on commands that are not recalled; it changes only when a recall that is not
a drill opens or widens. A recalled pack stays recalled after the recall closes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict
from domain.topics import stable_topics
from domain.values import id_for

WHAT_TO_DO = "do not sell or eat it; bring it back to the outlet, or call the co-op"


@stable_topics("RecallRegister")
class RecallRegister(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        # Frozensets are shared, not copied, when a cached register is handed to a use case.
        self.packs: frozenset[str] = frozenset()
        self.batches: frozenset[str] = frozenset()
        self.recalls: list[dict[str, Any]] = []

    @staticmethod
    def create_id() -> UUID:
        return id_for("recall_register", "co-op")

    def block(self, *, recall_id: UUID, reason: str, pack_codes: list[str],
              batch_codes: list[str], at: datetime) -> None:
        if pack_codes or batch_codes:
            self._blocked(recall_id=str(recall_id), reason=reason, pack_codes=pack_codes,
                          batch_codes=batch_codes, blocked_at=at)

    @event("Blocked")
    def _blocked(self, recall_id: str, reason: str, pack_codes: list[str],
                 batch_codes: list[str], blocked_at: datetime) -> None:
        packs, batches = frozenset(pack_codes), frozenset(batch_codes)
        self.recalls.append({"recall_id": recall_id, "reason": reason, "packs": packs,
                             "batches": batches})
        self.packs |= packs
        self.batches |= batches

    def check_packs(self, pack_codes: Iterable[str]) -> None:
        """Refuse any recalled pack, naming its recall."""
        hit = [c for c in pack_codes if c in self.packs]
        if hit:
            recall = self._recall_of(hit[0], "packs")
            raise Recalled(f"pack {hit[0]} is recalled ({recall['reason']}): {WHAT_TO_DO}; "
                           f"keep it apart for recall {recall['recall_id']}",
                           recall_id=recall["recall_id"], pack_codes=hit)

    def check_batches(self, batch_codes: Iterable[str]) -> None:
        """Refuse packing from a recalled batch, naming its recall."""
        hit = [c for c in batch_codes if c in self.batches]
        if hit:
            recall = self._recall_of(hit[0], "batches")
            raise Recalled(f"batch {hit[0]} is recalled ({recall['reason']}); its graded kg may "
                           f"not be packed (recall {recall['recall_id']})",
                           recall_id=recall["recall_id"], batch_codes=hit)

    def recalls_of(self, pack_codes: Iterable[str]) -> dict[str, list[str]]:
        """Each recalled pack among ``pack_codes`` with the recalls that hold it, first first."""
        return {c: [r["recall_id"] for r in self.recalls if c in r["packs"]]
                for c in dict.fromkeys(pack_codes) if c in self.packs}

    def _recall_of(self, code: str, kind: str) -> dict[str, Any]:
        return next(r for r in self.recalls if code in r[kind])


class Recalled(Conflict):
    """A recalled pack or batch: it may not be reserved, shipped, delivered, sold or packed."""
