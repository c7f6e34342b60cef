"""Rules of the stock line: packing draws FEFO within mass balance; reservation never over-promises."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from domain.errors import Invalid
from domain.stock import PackNotReserved, Stock, StockShort
from tests.district import at


def stock_with_lots() -> Stock:
    stock = Stock(sku="jiuhuang", grade="A")
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
    assert stock.lots["B-early"]["kg"] == 0
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


def test_the_same_packing_run_twice_makes_its_packs_once() -> None:
    stock = stock_with_lots()
    run = uuid4()
    first = stock.pack(run_id=run, site_id="yongan", pack_kg=Decimal(1), count=2,
                       packed_at=at(3), sources=None)
    again = stock.pack(run_id=run, site_id="yongan", pack_kg=Decimal(1), count=2,
                       packed_at=at(3), sources=None)
    assert first == again and len(stock.packs) == 2
