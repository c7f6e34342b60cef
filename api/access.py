"""Where things are, for scope checks that depend on the domain's state."""

from __future__ import annotations

import re

from domain.application import Gongxiao
from domain.order import Order
from domain.usecases.stocks import sites_of
from infra.problems import Problem
from infra.views import ReadModels

ORDER_CODE = re.compile(r"[0-9A-Fa-f]{8}")


def order_id_of(views: ReadModels, given: str) -> str:
    """An order's id from what a person gave: its id, or its short code (3C0DDF12,
    ``domain.order.order_code``; any case), found in the orders view."""
    if not ORDER_CODE.fullmatch(given):
        return given
    found = views.orders.ids_with_code(given)
    if not found:
        raise Problem(404, f"no order {given}", slug="unknown-order", order_id=given)
    if len(found) > 1:
        raise Problem(409, f"more than one order has the code {given}: give the order's full id",
                      slug="ambiguous-order-code", order_id=given)
    return found[0]


def pack_sites(app: Gongxiao, *, order_id: str, pack_codes: list[str]) -> set[str]:
    """The cold stores holding those of the packs that are the order's (others are the
    domain's to refuse); unknown order → 404."""
    return sites_of(app, app.order(order_id), set(pack_codes))


def order_sites(app: Gongxiao, order: Order) -> set[str]:
    """Every cold store an order's packs were reserved at, shipped from or released to."""
    codes = {c for line in order.lines for c in line["reserved_pack_codes"]}
    shipped = {p["site_id"] for s in order.shipment_ids for p in app.shipment(s).packs}
    return sites_of(app, order, codes) | shipped

