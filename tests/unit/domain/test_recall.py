"""Recalls on the domain's application: open and block, replace on orders, pull, account, close."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import Gongxiao
from domain.errors import Invalid
from domain.recall import AlreadyAccounted, NothingToRecall, PackNotInRecall, RecallIncomplete
from domain.recall_register import Recalled
from domain.shelf import Shelf
from domain.stock import StockShort
from tests.district import at, events, graded, seed

LINE = {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5"}


def run(app: Gongxiao, batch: str, count: int, *, day: float = 0) -> list[str]:
    return list(app.run_packing(site_id="yongan", sku="jiuhuang", grade="A", pack_kg="0.5",
                                count=count, packed_at=at(day, 4),
                                sources=[{"batch_code": batch, "kg": str(count / 2)}])["pack_codes"])


def lineage(codes: list[str], *, outlet: str | None = None, batches: tuple[str, ...] = (),
            sold: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the trace view would say: the packs, the outlet they went to, those sold there."""
    sold = sold or {}
    return {"packs": [{"pack_code": c, "sku": "jiuhuang", "grade": "A", "outlet_id": outlet,
                       "state": "sold" if c in sold else "at_outlet" if outlet else "in_stock",
                       "sold_at": sold.get(c)} for c in codes], "batch_codes": list(batches)}


def open_recall(app: Gongxiao, codes: list[str], *, drill: bool = False, outlet: str | None = None,
                batches: tuple[str, ...] = ("B1",), key: str = "r1",
                sold: dict[str, Any] | None = None) -> dict[str, Any]:
    return app.open_recall(scope={"kind": "batch", "batch_code": "B1"}, reason="吡虫啉 residue",
                           level=2, drill=drill, opened_at=at(1), key=key,
                           lineage=lineage(codes, outlet=outlet, batches=batches, sold=sold))


@pytest.fixture
def app() -> Gongxiao:
    app = seed(Gongxiao())
    graded(app, "B1")
    graded(app, "B2", farmer="wang")
    return app


def order(app: Gongxiao, packs: int, *, day: float = 1, key: str | None = None) -> dict[str, Any]:
    return app.place_order(outlet_id="out-a", lines=[{**LINE, "packs": packs}],
                           placed_at=at(day, 6), key=key)


def delivered(app: Gongxiao, packs: int, *, key: str) -> tuple[dict[str, Any], list[str]]:
    placed = order(app, packs, day=0.5, key=key)
    codes = placed["lines"][0]["reserved_pack_codes"]
    shipped = app.ship(order_id=placed["order_id"], pack_codes=codes, departed_at=at(0.5, 8),
                       key=key)
    app.confirm_delivery(shipment_id=shipped["shipment_id"], received_at=at(0.5, 10),
                         pack_codes=codes)
    return placed, codes


def test_an_order_placed_after_opening_gets_only_packs_that_are_not_recalled(app: Gongxiao) -> None:
    bad, good = run(app, "B1", 3), run(app, "B2", 3)
    open_recall(app, bad)
    placed = order(app, 3)
    assert placed["lines"][0]["reserved_pack_codes"] == good
    assert app.order(placed["order_id"]).reserved == set(good)


def test_an_order_that_only_recalled_packs_could_fill_is_refused(app: Gongxiao) -> None:
    bad = run(app, "B1", 3)
    run(app, "B2", 1)
    open_recall(app, bad)
    before = events(app)
    with pytest.raises(StockShort, match="not recalled"):
        order(app, 2)
    assert events(app) == before


def test_opening_replaces_recalled_packs_on_an_open_order_from_clean_stock(app: Gongxiao) -> None:
    bad = run(app, "B1", 2)
    placed = order(app, 2, day=0.5)
    assert placed["lines"][0]["reserved_pack_codes"] == bad
    good = run(app, "B2", 1)
    open_recall(app, bad)
    now = app.order_answer(app.order(placed["order_id"]))
    assert now["lines"][0]["reserved_pack_codes"] == good
    assert now["recalls"][0]["released"] == bad and now["recalls"][0]["replaced"] == 1


def test_a_recalled_pack_cannot_be_shipped(app: Gongxiao) -> None:
    bad = run(app, "B1", 2)
    placed = order(app, 2, day=0.5)
    recall = open_recall(app, [bad[0]])
    before = events(app)
    with pytest.raises(Recalled) as refused:
        app.ship(order_id=placed["order_id"], pack_codes=bad, departed_at=at(1, 8))
    assert refused.value.extra["recall_id"] == recall["recall_id"]
    assert events(app) == before


def test_a_recalled_pack_cannot_be_sold(app: Gongxiao) -> None:
    run(app, "B1", 2)
    _, on_shelf = delivered(app, 2, key="o1")
    open_recall(app, on_shelf, outlet="out-a")
    before = events(app)
    with pytest.raises(Recalled, match="recalled"):
        app.sell_pack(outlet_id="out-a", pack_code=on_shelf[0], sold_at=at(1, 9), price_fen=900)
    assert events(app) == before


def test_a_delivery_shelves_the_clean_packs_and_sets_the_recalled_aside_as_pulled(
        app: Gongxiao) -> None:
    codes = run(app, "B1", 4)
    placed = order(app, 4, day=0.6, key="o2")
    shipped = app.ship(order_id=placed["order_id"], pack_codes=codes, departed_at=at(0.6, 8))
    recall = open_recall(app, codes[:2])  # found on the road: the crate holds two of them

    answer = app.confirm_delivery(shipment_id=shipped["shipment_id"], received_at=at(1, 9),
                                  pack_codes=codes)

    assert answer["received"] == codes[2:] and answer["missing"] == []
    assert answer["refused"] == [{"pack_code": c, "recall_id": recall["recall_id"]}
                                 for c in codes[:2]]
    progress = app.recall_answer(app.recall(recall["recall_id"]))["progress"]
    assert progress["total"]["pulled"] == 2 and progress["total"]["outstanding"] == 0
    assert progress["places"] == [{"place": "out-a", "affected": 2, "located": 2, "pulled": 2,
                                   "quarantined": 0, "sold": 0, "destroyed": 0, "returned": 0,
                                   "outstanding": 0}]
    shelf = app.find(Shelf.create_id("out-a"))
    assert set(shelf.packs) == set(codes[2:])  # set aside, never on the shelf
    with pytest.raises(Recalled):
        app.sell_pack(outlet_id="out-a", pack_code=codes[0], sold_at=at(1, 10), price_fen=900)
    app.sell_pack(outlet_id="out-a", pack_code=codes[2], sold_at=at(1, 10), price_fen=900)
    before = events(app)
    again = app.confirm_delivery(shipment_id=shipped["shipment_id"], received_at=at(1, 9),
                                 pack_codes=list(reversed(codes)))
    assert again == answer and events(app) == before  # the same crate scanned again


def test_a_drill_sets_nothing_aside_at_a_delivery(app: Gongxiao) -> None:
    codes = run(app, "B1", 2)
    placed = order(app, 2, day=0.6, key="o2")
    shipped = app.ship(order_id=placed["order_id"], pack_codes=codes, departed_at=at(0.6, 8))
    drill = open_recall(app, codes, drill=True)
    answer = app.confirm_delivery(shipment_id=shipped["shipment_id"], received_at=at(1, 9),
                                  pack_codes=codes)
    assert answer["received"] == codes and answer["refused"] == []
    assert app.recall_answer(app.recall(drill["recall_id"]))["progress"]["total"]["pulled"] == 0


def test_recalled_graded_kg_is_not_packed_and_fefo_draws_around_it(app: Gongxiao) -> None:
    open_recall(app, [], batches=("B1",))
    with pytest.raises(Recalled, match="B1"):
        run(app, "B1", 2)
    fefo = app.run_packing(site_id="yongan", sku="jiuhuang", grade="A", pack_kg="0.5", count=4,
                           packed_at=at(1, 4))
    assert app.describe_batch("B1")["graded_kg_remaining"]["A"] == 60
    assert app.describe_batch("B2")["graded_kg_remaining"]["A"] == 58
    assert len(fefo["pack_codes"]) == 4


def test_a_drill_blocks_nothing_and_is_reported_as_a_drill(app: Gongxiao) -> None:
    bad = run(app, "B1", 2)
    drill = open_recall(app, bad, drill=True)
    assert drill["drill"] is True and drill["progress"]["total"]["affected"] == 2
    assert order(app, 2)["lines"][0]["reserved_pack_codes"] == bad


def test_packs_already_sold_are_counted_as_sold_with_outlet_and_time(app: Gongxiao) -> None:
    """Sold per the trace view; the pack left the cold store (the stock has it no more)."""
    run(app, "B1", 2)
    _, codes = delivered(app, 2, key="o1")
    app.sell_pack(outlet_id="out-a", pack_code=codes[0], sold_at=at(0.7), price_fen=900)
    recall = open_recall(app, codes, outlet="out-a", sold={codes[0]: at(0.7)})
    assert recall["sold"] == [{"pack_code": codes[0], "outlet_id": "out-a", "sold_at": at(0.7)}]
    assert recall["progress"]["places"] == [{"place": "out-a", "affected": 2, "located": 1,
                                             "pulled": 0, "quarantined": 0, "sold": 1,
                                             "destroyed": 0, "returned": 0, "outstanding": 1}]


def test_pulling_and_quarantining_account_for_each_pack_once(app: Gongxiao) -> None:
    run(app, "B1", 3)
    _, shelf = delivered(app, 2, key="o1")
    store = run(app, "B1", 1)
    recall = open_recall(app, shelf + store, outlet="out-a")
    rid = recall["recall_id"]
    app.account_pack(recall_id=rid, fate="pulled", place="out-a", pack_code=shelf[0], at=at(1, 2))
    before = events(app)
    again = app.account_pack(recall_id=rid, fate="pulled", place="out-a", pack_code=shelf[0], at=at(1, 5))
    assert events(app) == before and again["at"] == at(1, 2)
    with pytest.raises(AlreadyAccounted):
        app.account_pack(recall_id=rid, fate="pulled", place="out-b", pack_code=shelf[0], at=at(1, 3))
    with pytest.raises(PackNotInRecall):
        app.account_pack(recall_id=rid, fate="quarantined", place="yongan", pack_code="NOPE-0001",
                         at=at(1, 3))
    app.account_pack(recall_id=rid, fate="quarantined", place="yongan", pack_code=store[0], at=at(1, 4))
    progress = app.recall_answer(app.recall(rid))["progress"]
    assert progress["total"]["pulled"] == 1 and progress["total"]["quarantined"] == 1
    assert progress["total"]["outstanding"] == 1 and progress["pulled_at"] is None


def test_closing_needs_every_pack_accounted_for_or_a_reason(app: Gongxiao) -> None:
    bad = run(app, "B1", 2)
    rid = open_recall(app, bad)["recall_id"]
    app.account_pack(recall_id=rid, fate="quarantined", place="yongan", pack_code=bad[0], at=at(1, 2))
    with pytest.raises(RecallIncomplete, match="1 of 2"):
        app.close_recall(recall_id=rid, closed_at=at(2))
    app.account_pack(recall_id=rid, fate="quarantined", place="yongan", pack_code=bad[1], at=at(1, 6))
    closed = app.close_recall(recall_id=rid, closed_at=at(2))
    assert closed["status"] == "closed" and closed["hours_to_pulled"] == 6
    assert closed["hours_to_located"] == 6


def test_closing_with_packs_unaccounted_records_the_reason_and_which(app: Gongxiao) -> None:
    bad = run(app, "B1", 2)
    rid = open_recall(app, bad)["recall_id"]
    closed = app.close_recall(recall_id=rid, closed_at=at(3), reason="two packs lost in transit")
    assert closed["closed"]["outstanding"] == bad


def test_widening_adds_packs_by_a_new_event_and_blocks_them(app: Gongxiao) -> None:
    first, later = run(app, "B1", 1), run(app, "B2", 1)
    rid = open_recall(app, first)["recall_id"]
    wider = app.widen_recall(recall_id=rid, lineage=lineage(first + later, batches=("B2",)),
                             reason="B2 shares the lot", at=at(1, 1))
    assert wider["progress"]["total"]["affected"] == 2
    assert wider["widenings"][0]["packs"] == 1
    before = events(app)
    app.widen_recall(recall_id=rid, lineage=lineage(first + later), reason="again", at=at(1, 2))
    assert events(app) == before
    with pytest.raises(StockShort):
        order(app, 1)


@pytest.mark.parametrize(("changes", "error"), [
    ({"level": 4}, Invalid), ({"reason": " "}, Invalid),
    ({"scope": {"kind": "rumour"}}, Invalid),
    ({"lineage": {"packs": [], "batch_codes": []}}, NothingToRecall)])
def test_a_recall_without_level_reason_scope_or_anything_found_is_refused(
        app: Gongxiao, changes: dict[str, Any], error: type[Exception]) -> None:
    before = events(app)
    command: dict[str, Any] = {"scope": {"kind": "batch", "batch_code": "B1"}, "reason": "x",
                               "level": 1, "opened_at": at(1), "lineage": lineage([], batches=("B1",))}
    with pytest.raises(error):
        app.open_recall(**{**command, **changes})
    assert events(app) == before


def test_the_same_opening_twice_is_one_recall(app: Gongxiao) -> None:
    bad = run(app, "B1", 1)
    first = open_recall(app, bad)
    before = events(app)
    assert open_recall(app, bad) == first and events(app) == before


def test_a_pack_the_view_thinks_is_shipped_but_the_stock_still_holds_is_in_the_cold_store(
        app: Gongxiao) -> None:
    bad = run(app, "B1", 1)
    recall = open_recall(app, bad, outlet="out-a", sold={bad[0]: at(0.7)})
    assert recall["packs"][0]["state"] == "in_cold_store" and recall["sold"] == []
