"""What the hot paths ask of open recalls: the register, and stock drawn around recalled things.

Reserving and packing skip recalled packs and batches instead of refusing the whole order or
run; shipping, delivering and selling refuse a recalled pack (``RecallRegister.check_packs``).
When nothing in a stock is recalled, both go straight to the stock as before.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.recall_register import RecallRegister
from domain.stock import Stock, StockShort
from domain.usecases.store import Store


def register_of(store: Store) -> RecallRegister:
    return store.load_or_open(RecallRegister)


def reserve_clean(stock: Stock, *, order_id: UUID, pack_kg: Decimal, packs: int, at: datetime,
                  blocked: frozenset[str]) -> list[str]:
    """Reserve ``packs`` packs FEFO that are not recalled.

    The stock reserves its FEFO first packs, so when recalled ones are among them this reserves
    up to the last clean one needed and gives the recalled ones back in the same unit of work
    (a stock taking codes to skip would make it one step)."""
    if not blocked or not _any_reservable(stock, blocked, pack_kg, at):
        return stock.reserve(order_id=order_id, pack_kg=pack_kg, packs=packs, at=at)
    ahead, clean = [], 0
    for code in stock.available(pack_kg, at):
        if clean == packs:
            break
        ahead.append(code)
        clean += code not in blocked
    if clean < packs:
        raise StockShort(f"only {clean} packs of {stock.sku} grade {stock.grade} {pack_kg} kg "
                         f"are available that are not recalled, {packs} asked", sku=stock.sku,
                         grade=stock.grade, pack_kg=str(pack_kg), available=clean)
    codes = stock.reserve(order_id=order_id, pack_kg=pack_kg, packs=len(ahead), at=at)
    recalled = [c for c in codes if c in blocked]
    if recalled:
        stock.release(order_id=order_id, pack_codes=recalled)
    return [c for c in codes if c not in blocked]


def clean_sources(stock: Stock, *, site_id: str, need: Decimal, at: datetime,
                  blocked: frozenset[str]) -> list[dict[str, Any]] | None:
    """The batches a FEFO run draws when some graded kg at the site is recalled: the unexpired
    lots that are not, nearest expiry first; None when nothing there is recalled (the stock
    draws FEFO itself) or too little is left (it refuses with what there is)."""
    if not blocked:
        return None
    lots = [(lot["expires_at"], lot["received_at"], code) for code, lot in stock.lots.items()
            if lot["site_id"] == site_id and lot["kg"] > 0 and lot["expires_at"] > at]
    if not any(code in blocked for *_, code in lots):
        return None
    draws, left = [], need
    for *_, code in sorted(c for c in lots if c[2] not in blocked):
        take = min(left, stock.lots[code]["kg"])
        draws.append({"batch_code": code, "kg": take})
        left -= take
        if left == 0:
            return draws
    raise StockShort(f"only {need - left} kg of {stock.sku} grade {stock.grade} is graded, "
                     f"unpacked and not recalled at {site_id}, {need} kg needed", sku=stock.sku,
                     grade=stock.grade, available_kg=str(need - left))


def _any_reservable(stock: Stock, blocked: frozenset[str], pack_kg: Decimal,
                    at: datetime) -> bool:
    codes = blocked if len(blocked) < len(stock.packs) else stock.packs.keys() & blocked
    for code in codes:
        pack = stock.packs.get(code)
        if (pack is not None and pack["order_id"] is None and pack["pack_kg"] == pack_kg
                and pack["expires_at"] > at):
            return True
    return False
