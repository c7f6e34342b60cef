"""Timed housekeeping of the co-op: shelf life flagged on packs, statements issued to farmers.

Loads the catalogue and its products; saves ``Stock`` (the cold stores') and ``Farmer``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.stock import Stock
from domain.usecases.stocks import site_stocks
from domain.usecases.store import Store, command, load_catalogue, load_farmer, load_product


@command
def flag_shelf_life(store: Store, *, at: datetime, nearing_days: int = 1) -> dict[str, list[str]]:
    """Flag every pack in the cold stores past or near its shelf life; answers the codes
    newly flagged. Flagging again at the same moment records nothing."""
    answer: dict[str, list[str]] = {"expired": [], "nearing": []}
    stocks: dict[UUID, Stock] = {}
    for sku in load_catalogue(store).produce:
        grades = sorted({g for _, prices in load_product(store, sku).prices for g in prices})
        for grade in grades:
            held, opened = site_stocks(store, sku, grade)
            stocks.update((s.id, s) for s in opened)
            for stock in held:
                flagged = stock.flag_shelf_life(at=at, nearing_days=nearing_days)
                if flagged["expired"] or flagged["nearing"]:
                    stocks[stock.id] = stock
                for level, codes in flagged.items():
                    answer[level] += codes
    if stocks:
        store.save(*stocks.values())
    return answer


@command
def issue_statement(store: Store, *, farmer_id: str, period_from: datetime, period_to: datetime,
                    totals: dict[str, Any], issued_at: datetime) -> dict[str, Any]:
    """Record a farmer's statement for a closed period (figures from the earnings view)."""
    farmer = load_farmer(store, farmer_id)
    issued = farmer.issue_statement(period_from=period_from, period_to=period_to,
                                    totals=totals, issued_at=issued_at)
    if issued:
        store.save(farmer)
    return {"farmer_id": farmer_id, "issued": issued, "totals": totals}
