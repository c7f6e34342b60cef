"""The domain's application on its own, without the store's machinery of ``infra``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.application import Gongxiao
from domain.stock import Stock, StockShort
from tests.district import at, events, graded, packs, seed


def test_the_use_cases_run_on_the_domain_application_alone_from_intake_to_order() -> None:
    app = seed(Gongxiao())
    graded(app, "B1")
    codes = packs(app, 4)
    order = app.place_order(outlet_id="out-a", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 3}], placed_at=at(0, 6))
    assert order["lines"][0]["reserved_pack_codes"] == codes[:3]
    stock = app.repository.get(Stock.create_id("jiuhuang", "A", "yongan"))
    assert stock.available(Decimal("0.5"), at(0, 6)) == codes[3:]


def test_a_refused_use_case_on_the_domain_application_records_nothing() -> None:
    app = seed(Gongxiao())
    graded(app, "B1")
    packs(app, 2)
    before = events(app)
    with pytest.raises(StockShort):
        app.place_order(outlet_id="out-a", lines=[
            {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2},
            {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 1}], placed_at=at(0, 6))
    assert events(app) == before
