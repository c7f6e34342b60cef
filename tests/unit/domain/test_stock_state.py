"""A stock's FEFO queues always say what sorting all its lots and packs would, and its
snapshots keep the plain shape stocks always had."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import Conflict
from domain.stock import Stock
from infra.application import StoredGongxiao
from tests.district import at, graded, packs, seed

sites, weights = st.sampled_from(["yongan", "ande"]), st.sampled_from(["0.5", "1"])
steps = st.lists(st.one_of(
    st.tuples(st.just("lot"), st.integers(2, 9), st.integers(0, 20), sites),
    st.tuples(st.just("pack"), st.integers(1, 5), weights, sites),
    st.tuples(st.just("reserve"), st.integers(1, 3), weights, st.integers(1, 5)),
    st.tuples(st.just("release"), st.integers(0, 9), st.none(), st.none()),
    st.tuples(st.just("dispatch"), st.integers(0, 9), st.none(), st.none()),
    st.tuples(st.just("flag"), st.integers(1, 10), st.none(), st.none()),
), min_size=10, max_size=50)


@settings(max_examples=300, deadline=None)
@given(steps=steps)
def test_the_queues_follow_every_change_of_lots_and_packs(steps: list[tuple[Any, ...]]) -> None:
    stock = Stock(sku="jiuhuang", grade="A")
    for site in ("yongan", "ande"):
        stock.add_lot(batch_code=f"first-{site}", site_id=site, kg=Decimal(40), expires_at=at(9),
                      received_at=at(0))
    orders: list[tuple[UUID, list[str]]] = []
    for n, (kind, a, b, c) in enumerate(steps):
        version = stock.version
        try:
            if kind == "lot":
                stock.add_lot(batch_code=f"B{n}", site_id=c, kg=Decimal(b), expires_at=at(a),
                              received_at=at(0, n))
            elif kind == "pack":
                lots_before = sorted_lots(stock, c, at(0, n))
                stock.pack(run_id=uuid4(), site_id=c, pack_kg=Decimal(b), count=a,
                           packed_at=at(0, n), sources=None)
                drawn = [d["batch_code"] for d in stock.pending_events[-1].draws]  # type: ignore[attr-defined]
                assert drawn == lots_before[:len(drawn)], "drawn FEFO, as sorting every lot"
            elif kind == "reserve":
                free = sorted_free(stock, Decimal(b), at(c))
                order = uuid4()
                assert stock.reserve(order_id=order, pack_kg=Decimal(b), packs=a, at=at(c)) == free[:a]
                orders.append((order, free[:a]))
            elif kind in ("release", "dispatch") and orders:
                order, codes = orders.pop(a % len(orders))
                if kind == "release":
                    stock.release(order_id=order, pack_codes=codes)
                else:
                    stock.dispatch(shipment_id=uuid4(), order_id=order, pack_codes=codes)
            elif kind == "flag":
                stock.flag_shelf_life(at=at(a), nearing_days=1)
        except Conflict:
            assert stock.version == version, "a refused command records nothing"
        assert_queues_follow(stock)


def test_a_stock_from_its_events_has_the_same_queues() -> None:
    stock = Stock(sku="jiuhuang", grade="A")
    stock.add_lot(batch_code="B1", site_id="yongan", kg=Decimal(9), expires_at=at(8), received_at=at(1))
    codes = stock.pack(run_id=uuid4(), site_id="yongan", pack_kg=Decimal(1), count=4,
                       packed_at=at(2), sources=None)
    stock.reserve(order_id=uuid4(), pack_kg=Decimal(1), packs=1, at=at(3))
    again = None
    for e in stock.collect_events():
        again = e.mutate(again)
    assert vars(again) == {**vars(stock), "_pending_events": []}
    assert again is not None and again.available(Decimal(1), at(3)) == codes[1:]


def test_a_snapshot_is_stored_plain_without_queues_and_read_back_whole() -> None:
    app = seed(StoredGongxiao())
    for i in range(3):
        graded(app, f"B{i}", day=i)
    packs(app, 6)
    stock_id = Stock.create_id("jiuhuang", "A", "yongan")
    app.take_snapshot(stock_id)
    snapshot = next(iter(app.snapshots.get(stock_id)))  # type: ignore[union-attr]
    assert type(snapshot) is Snapshot, "the library's snapshot topic, as before"
    assert set(snapshot.state) == {"_created_on", "_modified_on", "sku", "grade", "site_id",
                                   "sites", "lots", "packs", "runs", "flagged"}
    assert type(snapshot.state["packs"]) is dict and type(snapshot.state["runs"]) is dict
    assert vars(snapshot.mutate(None)) == vars(events_only(app, stock_id))


def test_a_snapshot_of_the_version_before_reads_as_the_stock_now() -> None:
    stock = Stock(sku="jiuhuang", grade="A")  # co-op-wide, as every stock of version 1 was
    stock.add_lot(batch_code="B0", site_id="yongan", kg=Decimal(9), expires_at=at(8), received_at=at(1))
    stock.pack(run_id=uuid4(), site_id="yongan", pack_kg=Decimal(1), count=3, packed_at=at(2),
               sources=None)
    stock.collect_events()
    plain = {k: v for k, v in vars(stock).items()
             if k in ("_created_on", "_modified_on", "sku", "grade", "lots", "packs", "runs", "flagged")}
    old = Snapshot(originator_id=stock.id, originator_version=stock.version,  # type: ignore[call-arg]
                   timestamp=Snapshot.create_timestamp(), topic="gongxiao:Stock", state=plain)
    assert vars(old.mutate(None)) == vars(stock)


def events_only(app: StoredGongxiao, stock_id: UUID, upto: int | None = None) -> Stock:
    stock = None
    for e in app.events.get(stock_id, lte=upto):
        stock = e.mutate(stock)
    assert isinstance(stock, Stock)
    return stock


def assert_queues_follow(stock: Stock) -> None:
    for site in {lot["site_id"] for lot in stock.lots.values()} | set(stock.lot_queues):
        assert [code for *_, code in stock.lot_queues.get(site, [])] == sorted_lots(stock, site, None)
    for pack_kg in {p["pack_kg"] for p in stock.packs.values()} | set(stock.pack_queues):
        assert stock.available(pack_kg, at(-1)) == sorted_free(stock, pack_kg, at(-1))
    assert all(len(q) > 0 for q in [*stock.lot_queues.values(), *stock.pack_queues.values()])


def sorted_lots(stock: Stock, site: str, moment: Any) -> list[str]:
    """What packing drew first before the queues: every lot sorted."""
    return [code for *_, code in sorted(
        (lot["expires_at"], lot["received_at"], code) for code, lot in stock.lots.items()
        if lot["site_id"] == site and lot["kg"] > 0 and (moment is None or lot["expires_at"] > moment))]


def sorted_free(stock: Stock, pack_kg: Decimal, moment: Any) -> list[str]:
    """What reserving promised first before the queues: every pack sorted."""
    return [code for *_, code in sorted(
        (p["expires_at"], p["packed_at"], code) for code, p in stock.packs.items()
        if p["order_id"] is None and p["pack_kg"] == pack_kg and p["expires_at"] > moment)]


def test_a_snapshot_taken_as_saved_is_the_stock_read_from_its_events() -> None:
    app = seed(StoredGongxiao())
    for i in range(100):
        graded(app, f"B{i}")
        packs(app, 1, key=f"run-{i}")
    stock_id = Stock.create_id("jiuhuang", "A", "yongan")
    snapshot = next(iter(app.snapshots.get(stock_id, desc=True, limit=1)))  # type: ignore[union-attr]
    assert snapshot.originator_version == 200
    assert vars(snapshot.mutate(None)) == vars(events_only(app, stock_id, upto=200))
