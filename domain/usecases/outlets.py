"""Outlets: orders that reserve packs, shipments that carry them, deliveries and retail sales.

Loads the outlet and the products named; saves ``Order``, ``Stock`` (the cold stores', see
``domain.usecases.stocks``), ``Shipment`` and ``Shelf``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.errors import Invalid
from domain.order import Order, UnknownOrder
from domain.recall_register import RecallRegister
from domain.shelf import Shelf
from domain.shipment import Shipment, UnknownShipment
from domain.site import Site
from domain.stock import Stock, reserve_fefo
from domain.usecases.blocking import register_of
from domain.usecases.stocks import stocks_holding, stocks_to_draw
from domain.usecases.store import Store, command, load_product, load_site
from domain.values import command_id, kg


@command
def place_order(store: Store, *, outlet_id: str, lines: list[dict[str, Any]],
                wanted_by: datetime | None = None, placed_at: datetime | None = None,
                site_id: str | None = None, key: str | None = None) -> dict[str, Any]:
    """Reserve packs FEFO for every line at once, or none: nobody is promised missing stock.

    A line draws from the stock of the cold store the order is picked at (``site_id``), or
    from every cold store's stock of its product and grade, nearest expiry first across them;
    only the stocks reserved from are saved."""
    order_id = command_id("order", key)
    earlier = store.find(order_id)
    if earlier is not None:
        return order_answer(earlier)
    load_site(store, outlet_id, "outlet")
    if site_id is not None:
        load_site(store, site_id, "cold_store")
    if not lines:
        raise Invalid("an order needs at least one line", field="lines")
    at = placed_at or store.now()
    blocked = register_of(store).packs
    stocks: dict[tuple[str, str], list[Stock]] = {}
    changed: dict[UUID, Stock] = {}
    sites: dict[str, str] = {}
    reserved_lines = []
    for i, line in enumerate(lines):
        load_product(store, line["sku"], "produce")
        key_ = (line["sku"], line["grade"])
        if key_ not in stocks:
            stocks[key_], opened = stocks_to_draw(store, *key_, site_id)
            changed.update((s.id, s) for s in opened)
        pack_kg = kg(line["pack_kg"], field=f"lines[{i}].pack_kg")
        taken = reserve_fefo(stocks[key_], sku=line["sku"], grade=line["grade"], order_id=order_id,
                             pack_kg=pack_kg, packs=line["packs"], at=at,
                             skip=blocked)
        for stock, code in taken:
            assert stock.site_id is not None  # a cold store's stock
            changed[stock.id], sites[code] = stock, stock.site_id
        reserved_lines.append({"sku": line["sku"], "grade": line["grade"], "pack_kg": pack_kg,
                               "packs": line["packs"],
                               "reserved_pack_codes": [code for _, code in taken]})
    order = Order(id=order_id, outlet_id=outlet_id, lines=reserved_lines,
                  wanted_by=wanted_by, placed_at=at, sites=sites)
    store.save(order, *changed.values())
    return order_answer(order)


def order_answer(order: Order) -> dict[str, Any]:
    return {"order_id": str(order.id), "order_code": order.code, "outlet_id": order.outlet_id,
            "status": order.status, "pick_list": order.pick_list,
            "placed_at": order.placed_at, "wanted_by": order.wanted_by, "lines": order.lines,
            "shipment_ids": order.shipment_ids, "recalls": order.recalls}


@command
def cancel_order(store: Store, *, order_id: str, reason: str = "cancelled by outlet",
                 at: datetime | None = None) -> dict[str, Any]:
    order = load_order(store, order_id)
    release = order.cancel(reason=reason, cancelled_at=at or store.now())
    stocks: dict[UUID, Stock] = {}
    for (sku, grade), codes in release.items():
        held, opened = stocks_holding(store, order, sku, grade, codes)
        for stock, stock_codes in held:
            stock.release(order_id=order.id, pack_codes=stock_codes)
        stocks.update((s.id, s) for s in [*opened, *(s for s, _ in held)])
    store.save(order, *stocks.values())
    return order_answer(order)


@command
def ship(store: Store, *, order_id: str, pack_codes: list[str], departed_at: datetime,
         vehicle: str | None = None, key: str | None = None) -> dict[str, Any]:
    """Packs scanned onto the truck leave stock; only packs reserved to the order may go."""
    codes = list(dict.fromkeys(pack_codes))
    if not codes:
        raise Invalid("a shipment carries at least one pack", field="pack_codes")
    shipment_id = command_id("shipment", key)
    earlier = store.find(shipment_id)
    if earlier is not None:
        earlier.check_same(order_id=order_id, pack_codes=codes)
        return {"shipment_id": str(shipment_id)}
    register_of(store).check_packs(codes)
    order = load_order(store, order_id)
    by_line = order.ship(shipment_id=str(shipment_id), pack_codes=codes)
    stocks: dict[UUID, Stock] = {}
    manifest = []
    for (sku, grade), line_codes in by_line.items():
        held, opened = stocks_holding(store, order, sku, grade, line_codes)
        for stock, stock_codes in held:
            manifest += [{"pack_code": c, "sku": sku, "grade": grade, **{
                k: stock.packs[c][k] for k in ("pack_kg", "expires_at", "site_id")}}
                for c in stock_codes if c in stock.packs]
            stock.dispatch(shipment_id=shipment_id, order_id=order.id, pack_codes=stock_codes)
        stocks.update((s.id, s) for s in [*opened, *(s for s, _ in held)])
    shipment = Shipment(id=shipment_id, order_id=str(order.id), outlet_id=order.outlet_id,
                        packs=manifest, departed_at=departed_at, vehicle=vehicle)
    store.save(shipment, order, *stocks.values())
    return {"shipment_id": str(shipment_id)}


@command
def confirm_delivery(store: Store, *, shipment_id: str, received_at: datetime,
                     pack_codes: list[str]) -> dict[str, Any]:
    """The outlet scans what arrived: received packs go on its shelf, the rest is recorded."""
    shipment = load_shipment(store, shipment_id)
    already = shipment.delivery is not None
    if not already:
        register_of(store).check_packs(pack_codes)
    delivery = shipment.deliver(received_at=received_at, pack_codes=pack_codes)
    shelf = store.load_or_open(Shelf, outlet_id=shipment.outlet_id)
    if not already:
        shelf.stock(shipment_id=shipment_id, packs=[
            p for p in shipment.packs if p["pack_code"] in delivery["received"]])
    store.save(shipment, shelf)
    return {"shipment_id": shipment_id, "received": delivery["received"],
            "missing": delivery["missing"], "unexpected": delivery["unexpected"]}


@command
def sell_pack(store: Store, *, outlet_id: str, pack_code: str, sold_at: datetime,
              price_fen: int) -> dict[str, Any]:
    # One read of the three: the recall register costs a sale no query of its own.
    store.prefetch(Site.create_id(outlet_id), Shelf.create_id(outlet_id),
                   RecallRegister.create_id())
    load_site(store, outlet_id, "outlet")
    shelf = store.load_or_open(Shelf, outlet_id=outlet_id)
    if pack_code not in shelf.sold:
        register_of(store).check_packs([pack_code])
    shelf.sell(pack_code=pack_code, sold_at=sold_at, price_fen=price_fen)
    store.save(shelf)
    return {"outlet_id": outlet_id, "pack_code": pack_code, "sold_at": sold_at,
            "price_fen": price_fen}


def load_order(store: Store, order_id: str) -> Order:
    return store.load(Order, _uuid(order_id, UnknownOrder(order_id)), UnknownOrder(order_id))


def load_shipment(store: Store, shipment_id: str) -> Shipment:
    missing = UnknownShipment(shipment_id)
    return store.load(Shipment, _uuid(shipment_id, missing), missing)


def _uuid(value: str, missing: Exception) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise missing from None
