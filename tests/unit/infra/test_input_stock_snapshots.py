"""A shop's input stock is snapshotted like the other long-lived aggregates, and read back from
its snapshot with the same lots, quantities and costs."""

from __future__ import annotations

from decimal import Decimal

from domain.input_stock import InputStock, cost_share
from infra.application import StoredGongxiao
from infra.settings import Settings
from tests.district import at, seed


def test_a_shop_with_more_events_than_the_interval_reads_back_the_same_from_its_snapshot(
        settings: Settings) -> None:
    app = seed(StoredGongxiao(env=settings.event_store_env()))
    try:
        app.record_purchase(site_id="shop", supplier="s", invoice_no="I", payment="payable",
                            received_at=at(0), key="p", lines=[
                                {"sku": "bichonglin", "lot": "L1", "quantity": 1000,
                                 "unit_cost_fen": 301}])
        for n in range(205):
            app.record_input_sale(shop_id="shop", farmer_id="zhang", sold_at=at(1, n / 100),
                                  payment="cash", key=f"s{n}", lines=[
                                      {"sku": "bichonglin", "lot": "L1", "quantity": "0.5",
                                       "unit_price_fen": 500}])
        stock_id = InputStock.create_id("shop")
        assert app.snapshots is not None and list(app.snapshots.get(stock_id))
        again = StoredGongxiao(env=settings.event_store_env())
        try:
            stock = again.repository.get(stock_id)
            value, held = 301000, Decimal(1000)
            for _ in range(205):  # each sale takes its share of what is left
                value, held = value - cost_share(value, Decimal("0.5"), held), held - Decimal("0.5")
            assert stock.lots == {"bichonglin/L1": {"quantity": held, "value_fen": value}}
            assert len(stock.purchases) == 1
        finally:
            again.close()
    finally:
        app.close()
