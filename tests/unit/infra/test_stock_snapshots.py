"""A stock's snapshots follow what it holds: every ten events while it is small, less often as
it holds more (its snapshot's size), and read back as the stock its events make."""

from __future__ import annotations

from domain.stock import Stock
from infra.application import StoredGongxiao
from infra.snapshots import RECORDS_PER_DOUBLING
from tests.district import graded, packs, seed


def test_a_stock_holding_many_packs_is_snapshotted_less_often_and_reads_back_the_same() -> None:
    app = seed(StoredGongxiao())
    stock_id = Stock.create_id("jiuhuang", "A", "yongan")
    for i in range(6):
        graded(app, f"BIG{i}")  # 360 kg of grade A
    packs(app, RECORDS_PER_DOUBLING + 100, key="big")  # 300 kg of it: past one doubling
    big = app.repository.get(stock_id)
    assert RECORDS_PER_DOUBLING <= len(big.lots) + len(big.packs) < 2 * RECORDS_PER_DOUBLING
    for i in range(45):
        packs(app, 1, key=f"one-{i}")
    assert app.snapshots is not None
    taken = [s.originator_version for s in app.snapshots.get(stock_id)]
    after = [v for v in taken if v > big.version]
    assert after and all(v % 20 == 0 for v in after), taken  # every 20 events, not 10
    again = app.repository.get(stock_id)
    replayed = None
    for event in app.events.get(stock_id):
        replayed = event.mutate(replayed)
    assert vars(again) == vars(replayed)


def test_a_small_stock_is_snapshotted_every_ten_events() -> None:
    app = seed(StoredGongxiao())
    stock_id = Stock.create_id("jiuhuang", "A", "yongan")
    for i in range(12):
        graded(app, f"S{i}")
        packs(app, 2, key=f"run-{i}")
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(stock_id)] == [10, 20]
