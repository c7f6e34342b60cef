"""Where things are, for scope checks that depend on the domain's state."""

from __future__ import annotations

from domain.application import Gongxiao
from domain.order import Order
from domain.usecases.stocks import sites_of


def pack_sites(app: Gongxiao, *, order_id: str, pack_codes: list[str]) -> set[str]:
    """The cold stores holding those of the packs that are the order's (others are the
    domain's to refuse); unknown order → 404."""
    return sites_of(app, app.order(order_id), set(pack_codes))


def order_sites(app: Gongxiao, order: Order) -> set[str]:
    """Every cold store an order's packs were reserved at, shipped from or released to."""
    codes = {c for line in order.lines for c in line["reserved_pack_codes"]}
    shipped = {p["site_id"] for s in order.shipment_ids for p in app.shipment(s).packs}
    return sites_of(app, order, codes) | shipped

