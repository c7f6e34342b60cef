"""An outlet's order: the packs promised to it, shipped to it, or released when cancelled."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, NotFound
from domain.topics import stable_topics


def order_code(order_id: UUID | str) -> str:
    """The short code people read, say and type for an order: the first 8 hex digits of its id,
    upper case (3C0DDF12). Derived, never stored: every screen and answer shows the same one."""
    return str(order_id).replace("-", "")[:8].upper()


@stable_topics("Order")
class Order(Aggregate):
    class Placed(Aggregate.Created):
        """2: ``sites`` says which cold store holds each reserved pack (an order of version 1
        reserved from the co-op-wide stock, which knew)."""
        class_version = 2
        outlet_id: str
        lines: list[dict[str, Any]]
        wanted_by: datetime | None
        placed_at: datetime
        sites: dict[str, str] | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["sites"] = None

    @event(Placed)
    def __init__(self, id: UUID, outlet_id: str, lines: list[dict[str, Any]], wanted_by: datetime | None,
                 placed_at: datetime, sites: dict[str, str] | None = None) -> None:
        self.outlet_id, self.lines = outlet_id, lines
        self.sites = sites  # pack code → the cold store holding it; None on an order of version 1
        self.wanted_by, self.placed_at = wanted_by, placed_at
        self.reserved = {c for line in lines for c in line["reserved_pack_codes"]}
        self.shipped: set[str] = set()
        self.shipment_ids: list[str] = []
        self.cancelled = False
        self.recalls: list[dict[str, Any]] = []

    @property
    def code(self) -> str:
        return order_code(self.id)

    @property
    def pick_list(self) -> list[str]:
        """The packs still to load: reserved to the order, not yet shipped, in line order."""
        return [c for line in self.lines for c in line["reserved_pack_codes"] if c in self.reserved]

    @property
    def status(self) -> str:
        if self.cancelled:
            return "cancelled"
        if self.reserved:
            return "partially_shipped" if self.shipped else "placed"
        return "shipped"

    def cancel(self, *, reason: str, cancelled_at: datetime) -> dict[tuple[str, str], list[str]]:
        """Cancel what is not yet shipped; answers the reserved codes per (sku, grade) to release."""
        if self.cancelled:
            return {}
        if not self.reserved:
            raise Conflict("everything on this order has been shipped; it cannot be cancelled")
        release = {(line["sku"], line["grade"]): [c for c in line["reserved_pack_codes"]
                                                  if c in self.reserved] for line in self.lines}
        self._cancelled(reason=reason, cancelled_at=cancelled_at)
        return {key: codes for key, codes in release.items() if codes}

    @event("Cancelled")
    def _cancelled(self, reason: str, cancelled_at: datetime) -> None:
        self.cancelled, self.reserved = True, set()

    def ship(self, *, shipment_id: str, pack_codes: list[str]) -> dict[tuple[str, str], list[str]]:
        """Take reserved packs off the order onto a shipment; answers them per (sku, grade)."""
        if self.cancelled:
            raise Conflict("this order was cancelled; nothing may be shipped on it")
        strays = [c for c in pack_codes if c not in self.reserved]
        if strays:
            raise NotReservedForOrder(
                f"pack {strays[0]} is not reserved for this order; scan packs from its pick list",
                pack_codes=strays)
        self._shipped(shipment_id=shipment_id, pack_codes=pack_codes)
        by_line: dict[tuple[str, str], list[str]] = {}
        for line in self.lines:
            codes = [c for c in line["reserved_pack_codes"] if c in pack_codes]
            if codes:
                by_line.setdefault((line["sku"], line["grade"]), []).extend(codes)
        return by_line

    @event("Shipped")
    def _shipped(self, shipment_id: str, pack_codes: list[str]) -> None:
        self.reserved -= set(pack_codes)
        self.shipped |= set(pack_codes)
        self.shipment_ids.append(shipment_id)


    def replace_recalled(self, *, recall_id: str, released: list[str],
                         replacements: dict[tuple[str, str, Any], list[str]],
                         sites: dict[str, str], at: datetime) -> None:
        """Recalled packs leave the order; clean ones found in stock take their place (as many
        as there are), and the order says so."""
        self._recalled_packs_replaced(
            recall_id=recall_id, released=released, replaced_at=at, sites=sites,
            replacements=[{"sku": s, "grade": g, "pack_kg": k, "pack_codes": c}
                          for (s, g, k), c in replacements.items()])

    @event("RecalledPacksReplaced")
    def _recalled_packs_replaced(self, recall_id: str, released: list[str],
                                 replacements: list[dict[str, Any]], replaced_at: datetime,
                                 sites: dict[str, str]) -> None:
        gone = set(released)
        if self.sites is not None:  # the cold store holding each new pack, as at placing
            self.sites = {**self.sites, **sites}
        self.reserved -= gone
        left = {(r["sku"], r["grade"], r["pack_kg"]): r["pack_codes"] for r in replacements}
        lines = []
        for line in self.lines:
            codes = [c for c in line["reserved_pack_codes"] if c not in gone]
            added = left.pop((line["sku"], line["grade"], line["pack_kg"]), [])
            self.reserved |= set(added)
            codes += added
            lines.append({**line, "reserved_pack_codes": codes})
        self.lines = lines
        self.recalls.append({"recall_id": recall_id, "at": replaced_at, "released": released,
                             "replaced": sum(len(r["pack_codes"]) for r in replacements)})


class UnknownOrder(NotFound):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order {order_id}", order_id=order_id)


class NotReservedForOrder(Conflict):
    pass
