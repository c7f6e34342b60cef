"""A view whose stored tables are not those its code declares starts again from the first event."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import Gongxiao
from infra.views import ReadModels
from tests.integration.projections.conftest import snapshot
from tests.integration.projections.flows import busy_week

OLD_SHAPES = {
    "a table the old code did not have": "DROP TABLE order_summaries",
    "a column the new code does not have": "ALTER TABLE order_summaries ADD COLUMN legacy TEXT",
}


@pytest.mark.parametrize("old", OLD_SHAPES.values(), ids=list(OLD_SHAPES))
def test_a_view_whose_tables_changed_shape_is_projected_again_from_the_first_event(
        district: Gongxiao, views: ReadModels, make_views: Any, old: str) -> None:
    busy_week(district)
    views.runner(district).catch_up()
    orders, others = snapshot(views, "orders"), snapshot(views, "stock")
    head = views.store.positions(["stock"])["stock"]
    with views.store.transaction() as cur:
        cur.execute(old)

    restarted = make_views()  # the next process, running the code of the new shape

    assert restarted.store.positions(["orders", "stock"]) == {"orders": 0, "stock": head}
    restarted.runner(district).catch_up()
    assert snapshot(restarted, "orders") == orders
    assert snapshot(restarted, "stock") == others


def test_a_view_of_the_same_shape_keeps_its_place(district: Gongxiao, views: ReadModels,
                                                  make_views: Any) -> None:
    busy_week(district)
    views.runner(district).catch_up()
    head = views.store.positions(["orders"])

    assert make_views().store.positions(["orders"]) == head
