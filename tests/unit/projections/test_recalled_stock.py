"""Recalled packs in the stock view: a pack pulled off a shelf, set aside at a delivery,
quarantined or destroyed leaves the on-shelf and in-store counts for its own; a drill's scans
move nothing."""

from __future__ import annotations

from typing import Any

from domain.application import Gongxiao
from infra.views import ReadModels
from tests.district import at, packs, seed
from tests.district import graded as graded_batch


def lineage(codes: list[str], outlet: str | None) -> dict[str, Any]:
    return {"packs": [{"pack_code": c, "sku": "jiuhuang", "grade": "A", "outlet_id": outlet,
                       "state": "at_outlet" if outlet else "in_stock", "sold_at": None}
                      for c in codes], "batch_codes": []}


def recall(app: Gongxiao, codes: list[str], *, outlet: str | None = None, drill: bool = False,
           key: str) -> str:
    return str(app.open_recall(scope={"kind": "packs", "pack_codes": codes}, reason="residue",
                               level=1, drill=drill, opened_at=at(2), key=key,
                               lineage=lineage(codes, outlet))["recall_id"])


def shipped(app: Gongxiao, count: int, key: str) -> tuple[str, list[str]]:
    order = app.place_order(outlet_id="out-a", placed_at=at(1), key=key, lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": count}])
    codes = order["lines"][0]["reserved_pack_codes"]
    trip = app.ship(order_id=order["order_id"], pack_codes=codes, departed_at=at(1, 1), key=key)
    return trip["shipment_id"], codes


def made_and_shipped(app: Gongxiao, made: int, ship: int) -> tuple[str, list[str]]:
    """A graded batch packed into ``made`` packs, ``ship`` of them on a truck to out-a."""
    seed(app)
    graded_batch(app, "B1")
    packs(app, made, key="run-1")
    return shipped(app, ship, "o-1")


def counts(views: ReadModels) -> dict[str, Any]:
    [level] = views.stock.levels(grade="A")
    return {k: level[k] for k in ("packs_available", "packs_at_outlets", "packs_in_transit",
                                  "packs_pulled", "packs_quarantined", "packs_destroyed",
                                  "at_outlets")}


def test_pulled_quarantined_and_destroyed_packs_leave_the_shelf_and_store_counts(
        app: Gongxiao, views: ReadModels) -> None:
    trip, on_shelf = made_and_shipped(app, 6, 3)
    app.confirm_delivery(shipment_id=trip, received_at=at(1, 3), pack_codes=on_shelf)
    views.runner(app).catch_up()
    assert counts(views) == {"packs_available": 3, "packs_at_outlets": 3, "packs_in_transit": 0,
                             "packs_pulled": 0, "packs_quarantined": 0, "packs_destroyed": 0,
                             "at_outlets": {"out-a": 3}}
    in_store = [p["pack_code"] for p in views.stock.db.fetch(
        "SELECT pack_code FROM stock_packs WHERE state = 'available' ORDER BY pack_code", [])]
    rid = recall(app, on_shelf[:2] + in_store[:1], outlet="out-a", key="r-1")
    app.account_pack(recall_id=rid, pack_code=on_shelf[0], fate="pulled", place="out-a",
                     at=at(2, 1))
    app.account_pack(recall_id=rid, pack_code=in_store[0], fate="quarantined", place="yongan",
                     at=at(2, 2))
    app.account_pack(recall_id=rid, pack_code=in_store[0], fate="destroyed", place="yongan",
                     at=at(2, 3))
    views.runner(app).catch_up()

    assert counts(views) == {"packs_available": 2, "packs_at_outlets": 2, "packs_in_transit": 0,
                             "packs_pulled": 1, "packs_quarantined": 0, "packs_destroyed": 1,
                             "at_outlets": {"out-a": 2}}
    states = {r["pack_code"]: r["state"] for r in views.stock.db.fetch(
        "SELECT pack_code, state FROM stock_packs WHERE pack_code IN (?, ?)",
        [on_shelf[0], in_store[0]])}
    assert states == {on_shelf[0]: "pulled", in_store[0]: "destroyed"}
    assert all(c["sku"] != "jiuhuang" or c["packs_available"] == 2
               for c in views.stock.catalog())  # a quarantined or destroyed pack is not offered


def test_a_pack_quarantined_stays_counted_apart(app: Gongxiao, views: ReadModels) -> None:
    seed(app)
    graded_batch(app, "B1")
    codes = packs(app, 2, key="run-1")
    rid = recall(app, codes[:1], key="r-1")
    app.account_pack(recall_id=rid, pack_code=codes[0], fate="quarantined", place="yongan",
                     at=at(2, 2))
    views.runner(app).catch_up()
    assert (counts(views)["packs_available"], counts(views)["packs_quarantined"]) == (1, 1)


def test_recalled_packs_set_aside_at_a_delivery_are_pulled_not_on_the_shelf(
        app: Gongxiao, views: ReadModels) -> None:
    trip, codes = made_and_shipped(app, 3, 3)
    recall(app, codes[:1], key="r-1")
    app.confirm_delivery(shipment_id=trip, received_at=at(2, 3), pack_codes=codes)
    views.runner(app).catch_up()
    assert counts(views) == {"packs_available": 0, "packs_at_outlets": 2, "packs_in_transit": 0,
                             "packs_pulled": 1, "packs_quarantined": 0, "packs_destroyed": 0,
                             "at_outlets": {"out-a": 2}}
    trace = views.trace.trace(codes[0])
    assert trace is not None and trace["status"] == "recalled"


def test_a_drills_pulls_move_nothing(app: Gongxiao, views: ReadModels) -> None:
    trip, codes = made_and_shipped(app, 2, 2)
    app.confirm_delivery(shipment_id=trip, received_at=at(1, 3), pack_codes=codes)
    rid = recall(app, codes, outlet="out-a", drill=True, key="d-1")
    app.account_pack(recall_id=rid, pack_code=codes[0], fate="pulled", place="out-a", at=at(2, 1))
    views.runner(app).catch_up()
    assert (counts(views)["packs_at_outlets"], counts(views)["packs_pulled"]) == (2, 0)


def test_a_recalled_pack_in_the_cold_store_is_not_available_nor_offered(
        app: Gongxiao, views: ReadModels) -> None:
    seed(app)
    graded_batch(app, "B1")
    codes = packs(app, 4, key="run-1")
    order = app.place_order(outlet_id="out-a", placed_at=at(1), key="o-1", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 1}])
    held = order["lines"][0]["reserved_pack_codes"]
    free = [c for c in codes if c not in held]
    # the recall releases the order's pack and the order takes a clean one in its place
    rid = recall(app, [*held, free[0]], key="r-1")
    views.runner(app).catch_up()
    [level] = views.stock.levels(grade="A")
    assert (level["packs_available"], level["packs_reserved"], level["packs_recalled"]) == (1, 1, 2)
    offered = [c for c in views.stock.catalog(now=at(2)) if c["sku"] == "jiuhuang"]
    assert [c["packs_available"] for c in offered] == [1]

    app.account_pack(recall_id=rid, pack_code=free[0], fate="quarantined", place="yongan",
                     at=at(2, 2))
    views.runner(app).catch_up()
    [level] = views.stock.levels(grade="A")
    assert (level["packs_recalled"], level["packs_quarantined"]) == (1, 1)


def test_a_drill_leaves_its_packs_available(app: Gongxiao, views: ReadModels) -> None:
    seed(app)
    graded_batch(app, "B1")
    codes = packs(app, 2, key="run-1")
    recall(app, codes, drill=True, key="d-1")
    views.runner(app).catch_up()
    [level] = views.stock.levels(grade="A")
    assert (level["packs_available"], level["packs_recalled"]) == (2, 0)
