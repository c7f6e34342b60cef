"""Stocks by cold store: a product and grade has a stock at each cold store that holds it,
and its co-op-wide stock lists them (``domain.stock``). An order draws from all of them.

Loads ``Stock``, opening a cold store's the first time it is needed; an opened stock is saved
with the co-op-wide stock that listed it and handed it what it held there."""

from __future__ import annotations

from domain.errors import Conflict
from domain.order import Order
from domain.stock import PackNotReserved, Stock
from domain.usecases.store import Store


def site_stock(store: Store, sku: str, grade: str, site_id: str) -> tuple[Stock, list[Stock]]:
    """The stock of a product and grade at a cold store, and what must be saved with it if it
    was opened now (the co-op-wide stock)."""
    stock = store.find(Stock.create_id(sku, grade, site_id))
    if stock is not None:
        return stock, []
    coop = store.load_or_open(Stock, sku=sku, grade=grade)
    return Stock(sku=sku, grade=grade, site_id=site_id, held=coop.open_site(site_id)), [coop]


def site_stocks(store: Store, sku: str, grade: str) -> tuple[list[Stock], list[Stock]]:
    """Every cold store's stock of a product and grade, and what must be saved whatever is
    done with them: those opened now, with the co-op-wide stock."""
    coop = store.find(Stock.create_id(sku, grade))
    if coop is None:
        return [], []
    ids = [Stock.create_id(sku, grade, site) for site in coop.sites]
    store.prefetch(*ids)
    stocks = [store.load(Stock, i, Conflict(f"the stock of {sku} grade {grade} at {site} is "
                                            "listed but missing"))
              for i, site in zip(ids, coop.sites, strict=True)]
    opened = [Stock(sku=sku, grade=grade, site_id=site, held=coop.open_site(site))
              for site in coop.unsplit_sites]
    return [*stocks, *opened], [*opened, coop] if opened else []


def stocks_to_draw(store: Store, sku: str, grade: str,
                   site_id: str | None) -> tuple[list[Stock], list[Stock]]:
    """The stocks an order line draws from: that of the cold store the order is picked at, or
    every cold store's; and what must be saved whatever is done with them (as ``site_stocks``)."""
    if site_id is None:
        return site_stocks(store, sku, grade)
    stock, opened = site_stock(store, sku, grade, site_id)
    return [stock], [stock, *opened] if opened else []


def stocks_holding(store: Store, order: Order, sku: str, grade: str,
                   codes: list[str]) -> tuple[list[tuple[Stock, list[str]]], list[Stock]]:
    """The stocks holding packs reserved to an order, each with its packs among ``codes``, and
    what must be saved with them (as ``site_stocks``)."""
    if order.sites is not None:
        by_site: dict[str, list[str]] = {}
        for code in codes:
            by_site.setdefault(order.sites[code], []).append(code)
        held, save = [], []
        for site, site_codes in by_site.items():
            stock, opened = site_stock(store, sku, grade, site)
            held.append((stock, site_codes))
            save += opened
        return held, save
    stocks, save = site_stocks(store, sku, grade)  # an order of before the split by cold store
    holding = [(s, [c for c in codes if c in s.packs]) for s in stocks]
    found = {c for _, cs in holding for c in cs}
    for code in codes:
        if code not in found:
            raise PackNotReserved(f"pack {code} is not reserved for this order", pack_code=code)
    return [(s, cs) for s, cs in holding if cs], save


def sites_of(store: Store, order: Order, codes: set[str]) -> set[str]:
    """The cold stores holding those of ``codes`` reserved to the order (read only)."""
    if order.sites is not None:
        return {order.sites[c] for c in codes if c in order.sites}
    sites: set[str] = set()
    for line in order.lines:
        wanted = codes.intersection(line["reserved_pack_codes"])
        coop = store.find(Stock.create_id(line["sku"], line["grade"])) if wanted else None
        if coop is None:
            continue
        held = [coop, *filter(None, (store.find(Stock.create_id(line["sku"], line["grade"], s))
                                     for s in coop.sites))]
        sites |= {s.packs[c]["site_id"] for s in held for c in wanted if c in s.packs}
    return sites
