"""Where things are, for scope checks that depend on the domain's state."""

from __future__ import annotations

from domain.application import Gongxiao
from domain.stock import Stock


def pack_sites(app: Gongxiao, *, order_id: str, pack_codes: list[str]) -> set[str]:
    """The cold stores holding those of the packs that are reserved to the order (others are
    the domain's to refuse); unknown order → 404."""
    order, wanted, sites = app.order(order_id), set(pack_codes), set()
    for line in order.lines:
        codes = wanted.intersection(line["reserved_pack_codes"])
        stock = app.find(Stock.create_id(line["sku"], line["grade"])) if codes else None
        if isinstance(stock, Stock):
            sites |= {stock.packs[c]["site_id"] for c in codes if c in stock.packs}
    return sites
