"""Packs an outlet scanned at a delivery that did not carry them: the stock and trace views
record them where they were found, and leave the packs where the other facts put them."""

from __future__ import annotations

from domain.application import Gongxiao
from infra.views import ReadModels
from infra.views.runner import ProjectionRunner
from tests.district import at, packs, seed
from tests.district import graded as graded_batch
from tests.integration.projections.conftest import snapshot
from tests.integration.projections.test_runner import Redelivering


def delivered_with_strays(app: Gongxiao) -> str:
    """A shipment of two packs that arrives with a third pack of ours and a code of nobody's;
    answers the code of our pack that was not on the truck."""
    seed(app)
    graded_batch(app, "B1")
    codes = packs(app, 4, key="run-1")
    order = app.place_order(outlet_id="out-a", placed_at=at(1), key="o-1", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2}])
    reserved = order["lines"][0]["reserved_pack_codes"]
    trip = app.ship(order_id=order["order_id"], pack_codes=reserved, departed_at=at(1, 1),
                    key="s-1")
    stray = next(c for c in codes if c not in reserved)
    app.confirm_delivery(shipment_id=trip["shipment_id"], received_at=at(1, 3),
                         pack_codes=[*reserved, stray, "STRAY-0001"])
    return stray


def test_a_pack_found_in_a_delivery_that_did_not_carry_it_is_in_the_stock_and_its_trace(
        app: Gongxiao, views: ReadModels) -> None:
    stray = delivered_with_strays(app)
    views.runner(app).catch_up()

    [level] = views.stock.levels(grade="A")
    assert level["unexpected_at_outlets"] == {"out-a": 1}
    assert (level["packs_available"], level["packs_at_outlets"]) == (2, 2), "recorded, not moved"
    trace = views.trace.trace(stray)
    assert trace is not None and trace["status"] == "in_stock"
    assert trace["unexpected_at"] == [{"site_id": "out-a", "name": "金牛直营店",
                                       "delivered_at": at(1, 3)}]
    assert views.trace.trace("STRAY-0001") is None, "a code of nobody's has no trace"


def test_the_same_deliveries_projected_twice_give_the_same_stock_and_trace(
        app: Gongxiao, views: ReadModels) -> None:
    delivered_with_strays(app)
    views.runner(app).catch_up()
    once = {**snapshot(views, "stock"), **snapshot(views, "trace")}
    assert once["stock_unexpected"] and once["trace_unexpected"]

    ProjectionRunner(recorder=Redelivering(app.recorder), mapper=app.mapper, store=views.store,
                     projections=[views.projections["stock"], views.projections["trace"]],
                     batch_size=1000).run_once()
    assert {**snapshot(views, "stock"), **snapshot(views, "trace")} == once
    views.rebuild(app)
    assert {**snapshot(views, "stock"), **snapshot(views, "trace")} == once
