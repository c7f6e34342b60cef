"""A pack is in exactly one place: reserved to one order, on one truck, on one shelf, sold once."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from domain.order import NotReservedForOrder, Order
from domain.shelf import AlreadySold, PackExpired, PackNotAtOutlet, Shelf
from domain.shipment import Shipment
from tests.district import at

LINE = {"sku": "jiuhuang", "grade": "A", "pack_kg": Decimal("0.5"), "packs": 3,
        "reserved_pack_codes": ["P1", "P2", "P3"]}


def order() -> Order:
    return Order(id=uuid4(), outlet_id="out-a", lines=[LINE], wanted_by=None, placed_at=at(1))


def shelf_with(*codes: str) -> Shelf:
    shelf = Shelf(outlet_id="out-a")
    shelf.stock(shipment_id="s1", packs=[{"pack_code": c, "sku": "jiuhuang", "grade": "A",
                                          "pack_kg": Decimal("0.5"), "expires_at": at(7)}
                                         for c in codes])
    return shelf


def test_shipping_a_pack_not_reserved_for_the_order_is_refused() -> None:
    placed = order()
    with pytest.raises(NotReservedForOrder):
        placed.ship(shipment_id="s1", pack_codes=["P1", "P9"])
    assert placed.status == "placed"


def test_shipped_packs_leave_the_order_reservations() -> None:
    placed = order()
    placed.ship(shipment_id="s1", pack_codes=["P1", "P2"])
    assert placed.status == "partially_shipped"
    with pytest.raises(NotReservedForOrder):
        placed.ship(shipment_id="s2", pack_codes=["P1"])
    placed.ship(shipment_id="s2", pack_codes=["P3"])
    assert placed.status == "shipped"


def test_cancel_releases_only_what_was_not_shipped() -> None:
    placed = order()
    placed.ship(shipment_id="s1", pack_codes=["P1"])
    assert placed.cancel(reason="x", cancelled_at=at(2)) == {("jiuhuang", "A"): ["P2", "P3"]}
    assert placed.status == "cancelled"


def test_delivery_records_missing_and_unexpected_packs_without_fixing_them() -> None:
    shipment = Shipment(id=uuid4(), order_id="o", outlet_id="out-a", departed_at=at(2),
                        vehicle=None, packs=[{"pack_code": c} for c in ("P1", "P2", "P3")])
    delivery = shipment.deliver(received_at=at(3), pack_codes=["P1", "P3", "PX", "P1"])
    assert (delivery["received"], delivery["missing"], delivery["unexpected"]) == (
        ["P1", "P3"], ["P2"], ["PX"])
    assert shipment.deliver(received_at=at(3), pack_codes=["P3", "P1", "PX"]) == delivery
    assert len(shipment.collect_events()) == 2


def test_a_pack_is_sold_once_and_only_at_its_outlet() -> None:
    shelf = shelf_with("P1")
    with pytest.raises(PackNotAtOutlet):
        shelf.sell(pack_code="P2", sold_at=at(4), price_fen=1680)
    shelf.sell(pack_code="P1", sold_at=at(4), price_fen=1680)
    shelf.sell(pack_code="P1", sold_at=at(4), price_fen=1680)  # the till sent it twice
    with pytest.raises(AlreadySold):
        shelf.sell(pack_code="P1", sold_at=at(5), price_fen=1500)
    assert [type(e).__name__ for e in shelf.collect_events()] == ["Opened", "Stocked", "Sold"]


def test_a_pack_past_its_shelf_life_is_not_sold() -> None:
    with pytest.raises(PackExpired):
        shelf_with("P1").sell(pack_code="P1", sold_at=at(7), price_fen=100)
