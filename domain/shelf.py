"""An outlet's shelf: packs delivered to it and not yet sold, and the sales it made."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, Invalid
from domain.topics import stable_topics
from domain.values import id_for


@stable_topics("Shelf")
class Shelf(Aggregate):
    @event("Opened")
    def __init__(self, outlet_id: str) -> None:
        self.outlet_id = outlet_id
        self.packs: dict[str, dict[str, Any]] = {}
        self.sold: dict[str, dict[str, Any]] = {}

    @staticmethod
    def create_id(outlet_id: str) -> UUID:
        return id_for("shelf", outlet_id)

    def stock(self, *, shipment_id: str, packs: list[dict[str, Any]]) -> None:
        if packs:
            self._stocked(shipment_id=shipment_id, packs=packs)

    @event("Stocked")
    def _stocked(self, shipment_id: str, packs: list[dict[str, Any]]) -> None:
        for pack in packs:
            self.packs[pack["pack_code"]] = pack

    def sell(self, *, pack_code: str, sold_at: datetime, price_fen: int) -> None:
        """Sell a pack on this shelf once; the same sale sent twice is one sale."""
        if isinstance(price_fen, bool) or not isinstance(price_fen, int) or price_fen < 0:
            raise Invalid("price_fen must be a whole number of fen", field="price_fen")
        earlier = self.sold.get(pack_code)
        if earlier is not None:
            if (earlier["sold_at"], earlier["price_fen"]) == (sold_at, price_fen):
                return
            raise AlreadySold(f"pack {pack_code} was already sold at {earlier['sold_at'].isoformat()}",
                              pack_code=pack_code)
        pack = self.packs.get(pack_code)
        if pack is None:
            raise PackNotAtOutlet(f"pack {pack_code} is not on the shelf of {self.outlet_id}",
                                  pack_code=pack_code)
        if pack["expires_at"] <= sold_at:
            raise PackExpired(f"pack {pack_code} passed its shelf life on "
                              f"{pack['expires_at'].date()}; it may not be sold", pack_code=pack_code)
        self._sold(pack_code=pack_code, sold_at=sold_at, price_fen=price_fen)

    @event("Sold")
    def _sold(self, pack_code: str, sold_at: datetime, price_fen: int) -> None:
        self.sold[pack_code] = {"sold_at": sold_at, "price_fen": price_fen}
        del self.packs[pack_code]


class PackNotAtOutlet(Conflict):
    pass


class AlreadySold(Conflict):
    pass


class PackExpired(Conflict):
    pass
