"""What the hot paths ask of open recalls: the register, and stock drawn around recalled things.

Reserving (``domain.stock.reserve_fefo``'s ``skip``) and packing skip recalled packs and
batches instead of refusing the whole order or run; shipping, delivering and selling refuse a
recalled pack (``RecallRegister.check_packs``). When nothing in a stock is recalled, packing
goes straight to the stock as before.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.recall_register import RecallRegister
from domain.stock import Stock, StockShort
from domain.usecases.store import Store


def register_of(store: Store) -> RecallRegister:
    return store.load_or_open(RecallRegister)


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
