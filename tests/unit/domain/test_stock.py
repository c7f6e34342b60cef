"""Rules of the stock line: packing draws FEFO within mass balance; reservation never over-promises."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from domain.errors import Conflict, Invalid
from domain.stock import PackNotReserved, Stock, StockShort, pack_codes, packs_of_draw, reserve_fefo
from tests.district import at


def stock_with_lots() -> Stock:
    stock = Stock(sku="jiuhuang", grade="A", site_id="yongan")
    # B-late expires later than B-early even though it came in first
    stock.add_lot(batch_code="B-late", site_id="yongan", kg=Decimal("10"), expires_at=at(9),
                  received_at=at(1))
    stock.add_lot(batch_code="B-early", site_id="yongan", kg=Decimal("4"), expires_at=at(8),
                  received_at=at(2))
    return stock


def pack(stock: Stock, count: int, sources: list | None = None) -> list[str]:
    return stock.pack(run_id=uuid4(), site_id="yongan", pack_kg=Decimal("1"), count=count,
                      packed_at=at(3), sources=sources)


def test_packing_draws_nearest_expiry_first() -> None:
    stock = stock_with_lots()
    pack(stock, 6)
    assert "B-early" not in stock.lots, "an emptied lot leaves the stock"
    assert stock.lot_kg("B-early") == 0
    assert stock.lots["B-late"]["kg"] == Decimal(8)
    packed = stock.collect_events()[-1]
    assert [d["batch_code"] for d in packed.draws] == ["B-early", "B-late"]  # type: ignore[attr-defined]


def test_pack_expiry_is_the_earliest_of_its_batches() -> None:
    stock = stock_with_lots()
    code = pack(stock, 6)[0]
    assert stock.packs[code]["expires_at"] == at(8)


def test_packing_more_than_graded_stock_is_refused_and_records_nothing() -> None:
    stock = stock_with_lots()
    version = stock.version
    with pytest.raises(StockShort) as refused:
        pack(stock, 15)
    assert refused.value.extra["available_kg"] == "14"
    assert stock.version == version


def test_packing_from_named_batches_respects_each_batch() -> None:
    stock = stock_with_lots()
    with pytest.raises(StockShort):
        pack(stock, 5, sources=[{"batch_code": "B-early", "kg": Decimal(5)}])
    with pytest.raises(Invalid):
        pack(stock, 5, sources=[{"batch_code": "B-early", "kg": Decimal(4)}])
    pack(stock, 5, sources=[{"batch_code": "B-early", "kg": Decimal(1)},
                            {"batch_code": "B-late", "kg": Decimal(4)}])
    assert stock.lots["B-late"]["kg"] == Decimal(6)


def test_expired_graded_kg_is_not_packed() -> None:
    stock = stock_with_lots()
    with pytest.raises(StockShort):
        stock.pack(run_id=uuid4(), site_id="yongan", pack_kg=Decimal(1), count=1,
                   packed_at=at(10), sources=None)


def test_reserving_more_packs_than_available_is_refused() -> None:
    stock = stock_with_lots()
    pack(stock, 3)
    with pytest.raises(StockShort) as refused:
        stock.reserve(order_id=uuid4(), pack_kg=Decimal(1), packs=4, at=at(4))
    assert refused.value.extra["available"] == 3


def test_a_reserved_pack_is_never_promised_again() -> None:
    stock = stock_with_lots()
    pack(stock, 3)
    first = stock.reserve(order_id=uuid4(), pack_kg=Decimal(1), packs=2, at=at(4))
    second = stock.reserve(order_id=uuid4(), pack_kg=Decimal(1), packs=1, at=at(4))
    assert not set(first) & set(second)
    with pytest.raises(StockShort):
        stock.reserve(order_id=uuid4(), pack_kg=Decimal(1), packs=1, at=at(4))


def test_expired_packs_are_not_reserved() -> None:
    stock = stock_with_lots()
    pack(stock, 3)
    with pytest.raises(StockShort):
        stock.reserve(order_id=uuid4(), pack_kg=Decimal(1), packs=1, at=at(8))


def test_only_packs_reserved_to_the_order_are_dispatched() -> None:
    stock = stock_with_lots()
    pack(stock, 3)
    order, other = uuid4(), uuid4()
    codes = stock.reserve(order_id=order, pack_kg=Decimal(1), packs=2, at=at(4))
    with pytest.raises(PackNotReserved):
        stock.dispatch(shipment_id=uuid4(), order_id=other, pack_codes=codes)
    stock.dispatch(shipment_id=uuid4(), order_id=order, pack_codes=codes)
    assert not set(codes) & set(stock.packs)


def test_released_reservation_makes_packs_available_again() -> None:
    stock = stock_with_lots()
    pack(stock, 2)
    order = uuid4()
    codes = stock.reserve(order_id=order, pack_kg=Decimal(1), packs=2, at=at(4))
    stock.release(order_id=order, pack_codes=codes)
    assert sorted(stock.available(Decimal(1), at(4))) == sorted(codes)


def test_a_cold_stores_stock_takes_only_its_own_lots_and_runs() -> None:
    stock = stock_with_lots()
    with pytest.raises(Conflict):
        stock.add_lot(batch_code="B-ande", site_id="ande", kg=Decimal(1), expires_at=at(9),
                      received_at=at(1))
    with pytest.raises(Conflict):
        stock.pack(run_id=uuid4(), site_id="ande", pack_kg=Decimal(1), count=1, packed_at=at(3),
                   sources=None)


def test_packs_taken_one_batch_after_the_other_hold_the_batches_they_came_from() -> None:
    stock = stock_with_lots()  # B-early 4 kg, then B-late 10 kg
    codes = stock.pack(run_id=uuid4(), site_id="yongan", pack_kg=Decimal("1.5"), count=6,
                       packed_at=at(3), sources=None)
    packed = stock.collect_events()[-1]
    assert not packed.mixed  # type: ignore[attr-defined]
    held = {d["batch_code"]: packs_of_draw(d, codes, False) for d in packed.draws}  # type: ignore[attr-defined]
    # 4 kg of B-early fill packs 1 and 2 and half of pack 3; B-late fills the rest
    assert held == {"B-early": codes[:3], "B-late": codes[2:]}


def test_a_mixed_run_holds_every_batch_in_every_pack() -> None:
    stock = stock_with_lots()
    run = uuid4()
    codes = stock.pack(run_id=run, site_id="yongan", pack_kg=Decimal(1), count=6, packed_at=at(3),
                       sources=None, mixed=True)
    packed = stock.collect_events()[-1]
    assert packed.mixed  # type: ignore[attr-defined]
    assert [packs_of_draw(d, codes, True) for d in packed.draws] == [codes, codes]  # type: ignore[attr-defined]
    assert codes == pack_codes(run, 6)


def test_named_batches_are_taken_in_the_order_named() -> None:
    stock = stock_with_lots()
    codes = pack(stock, 4, sources=[{"batch_code": "B-late", "kg": Decimal(2)},
                                    {"batch_code": "B-early", "kg": Decimal(2)}])
    packed = stock.collect_events()[-1]
    assert [(d["batch_code"], packs_of_draw(d, codes, False)) for d in packed.draws] == [  # type: ignore[attr-defined]
        ("B-late", codes[:2]), ("B-early", codes[2:])]


def test_an_order_reserves_nearest_expiry_first_across_cold_stores() -> None:
    yongan = stock_with_lots()
    ande = Stock(sku="jiuhuang", grade="A", site_id="ande")
    ande.add_lot(batch_code="B-ande", site_id="ande", kg=Decimal(5), expires_at=at(8, 12),
                 received_at=at(1))
    early, late = pack(yongan, 4), pack(yongan, 2)  # B-early's expire at day 8, B-late's at 9
    middle = ande.pack(run_id=uuid4(), site_id="ande", pack_kg=Decimal(1), count=2,
                       packed_at=at(3), sources=None)
    order = uuid4()
    taken = reserve_fefo([yongan, ande], sku="jiuhuang", grade="A", order_id=order,
                         pack_kg=Decimal(1), packs=7, at=at(4))
    assert [c for _, c in taken] == [*early, *middle, late[0]]
    assert [s.site_id for s, _ in taken] == ["yongan"] * 4 + ["ande"] * 2 + ["yongan"]
    assert ande.packs[middle[0]]["order_id"] == yongan.packs[late[0]]["order_id"] == str(order)
    with pytest.raises(StockShort) as refused:
        reserve_fefo([yongan, ande], sku="jiuhuang", grade="A", order_id=uuid4(),
                     pack_kg=Decimal(1), packs=2, at=at(4))
    assert refused.value.extra["available"] == 1


def test_the_coop_wide_stock_hands_what_it_holds_at_a_cold_store_to_that_stores_stock() -> None:
    coop = Stock(sku="jiuhuang", grade="A")  # as every stock was before the split
    for site in ("yongan", "ande"):
        coop.add_lot(batch_code=f"B-{site}", site_id=site, kg=Decimal(4), expires_at=at(9),
                     received_at=at(1))
    codes = coop.pack(run_id=uuid4(), site_id="yongan", pack_kg=Decimal(1), count=3,
                      packed_at=at(2), sources=None)
    order = uuid4()
    reserved = coop.reserve(order_id=order, pack_kg=Decimal(1), packs=1, at=at(3))
    assert coop.unsplit_sites == ["ande", "yongan"]
    yongan = Stock(sku="jiuhuang", grade="A", site_id="yongan", held=coop.open_site("yongan"))
    assert coop.sites == ["yongan"] and coop.unsplit_sites == ["ande"]
    assert set(yongan.packs) == set(codes) and not set(codes) & set(coop.packs)
    assert yongan.lot_kg("B-yongan") == Decimal(1) and "B-yongan" not in coop.lots
    yongan.dispatch(shipment_id=uuid4(), order_id=order, pack_codes=reserved)
    assert yongan.available(Decimal(1), at(3)) == [c for c in codes if c not in reserved]
    assert coop.lot_kg("B-ande") == Decimal(4)
