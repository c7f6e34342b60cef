"""Input supply at cost: purchases, transfers, sales drawing from the lots a shop holds, and the
cost of goods sold by lot; unmanaged shops (no purchase yet) sell as in round 1."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.application import Gongxiao
from domain.errors import Conflict, IdempotencyConflict, Invalid
from domain.input_stock import (
    DuplicateInvoice,
    InputStock,
    NotInStock,
    UnknownPurchase,
    cost_share,
)
from domain.site import WrongSiteKind
from tests.district import at, events, seed


def district() -> Gongxiao:
    app = seed(Gongxiao())
    app.register_site(site_id="depot", name="农资公司仓库", kind="warehouse")
    return app


def buy(app: Gongxiao, site: str = "depot", *, lot: str = "L1", quantity: str = "10",
        cost: int = 2000, invoice: str = "INV-1", key: str = "p1",
        payment: str = "payable") -> dict[str, Any]:
    return app.record_purchase(site_id=site, supplier="川化农资", invoice_no=invoice,
                               payment=payment, received_at=at(0), key=key,
                               lines=[{"sku": "bichonglin", "lot": lot, "quantity": quantity,
                                       "unit_cost_fen": cost}])


def sell(app: Gongxiao, quantity: str, *, lot: str = "L1", key: str = "s1") -> dict[str, Any]:
    return app.record_input_sale(shop_id="shop", farmer_id="zhang", sold_at=at(1), payment="credit",
                                 key=key, lines=[{"sku": "bichonglin", "lot": lot,
                                                  "quantity": quantity, "unit_price_fen": 2800}])


def stock(app: Gongxiao, site: str) -> InputStock:
    found = app.find(InputStock.create_id(site))
    assert isinstance(found, InputStock)
    return found


def test_a_purchase_adds_its_lots_at_cost_and_answers_the_total() -> None:
    app = district()
    answer = buy(app, quantity="10", cost=2000)
    assert answer["total_fen"] == 20000
    assert stock(app, "depot").lots == {"bichonglin/L1": {"quantity": Decimal(10), "value_fen": 20000}}


def test_the_same_purchase_again_records_nothing_and_another_with_the_key_is_refused() -> None:
    app = district()
    first = buy(app)
    before = events(app)
    assert buy(app) == first
    assert events(app) == before
    with pytest.raises(IdempotencyConflict):
        buy(app, quantity="11")


def test_one_suppliers_invoice_is_recorded_once_per_site() -> None:
    app = district()
    buy(app, key="p1")
    with pytest.raises(DuplicateInvoice):
        buy(app, key="p2")
    buy(app, key="p3", invoice="INV-2")
    assert stock(app, "depot").held("bichonglin", "L1") == Decimal(20)


def test_a_purchase_is_of_inputs_at_an_input_site_paid_in_cash_or_owed() -> None:
    app = district()
    with pytest.raises(WrongSiteKind):
        buy(app, site="yongan")
    with pytest.raises(Exception, match="cash or payable"):
        buy(app, payment="credit")
    with pytest.raises(Exception, match="jiuhuang is produce"):
        app.record_purchase(site_id="shop", supplier="s", invoice_no="i", payment="cash",
                            received_at=at(0), lines=[{"sku": "jiuhuang", "lot": "L",
                                                       "quantity": 1, "unit_cost_fen": 1}])
    assert app.find(InputStock.create_id("depot")) is None


def test_a_transfer_moves_lots_at_their_cost_and_both_stocks_change_together() -> None:
    app = district()
    buy(app, quantity="3", cost=1000)  # 3 bottles for 3000 fen
    moved = app.transfer_inputs(from_site_id="depot", to_site_id="shop", sent_at=at(0, 5),
                                lines=[{"sku": "bichonglin", "lot": "L1", "quantity": 1}], key="t1")
    assert moved["cost_fen"] == 1000
    assert stock(app, "depot").lots["bichonglin/L1"] == {"quantity": Decimal(2), "value_fen": 2000}
    assert stock(app, "shop").lots["bichonglin/L1"] == {"quantity": Decimal(1), "value_fen": 1000}
    before = events(app)
    assert app.transfer_inputs(from_site_id="depot", to_site_id="shop", sent_at=at(0, 5),
                               lines=[{"sku": "bichonglin", "lot": "L1", "quantity": 1}],
                               key="t1") == moved
    assert events(app) == before


def test_a_transfer_of_more_than_the_site_holds_is_refused_and_records_nothing() -> None:
    app = district()
    buy(app, quantity="2")
    before = events(app)
    with pytest.raises(NotInStock):
        app.transfer_inputs(from_site_id="depot", to_site_id="shop", sent_at=at(0, 5),
                            lines=[{"sku": "bichonglin", "lot": "L1", "quantity": "1.5"},
                                   {"sku": "bichonglin", "lot": "L1", "quantity": 1}])
    with pytest.raises(NotInStock):
        app.transfer_inputs(from_site_id="shop", to_site_id="depot", sent_at=at(0, 5),
                            lines=[{"sku": "bichonglin", "lot": "L1", "quantity": 1}])
    assert events(app) == before


def test_a_sale_at_a_managed_shop_draws_the_lot_at_its_share_of_the_lots_cost() -> None:
    app = district()
    buy(app, site="shop", quantity="3", cost=1001, key="p1")  # 3003 fen: 1001 each
    sell(app, "1", key="s1")
    sell(app, "2", key="s2")
    sold = [e for e in app.events.get(InputStock.create_id("shop")) if type(e).__name__ == "Sold"]
    assert [line["cost_fen"] for e in sold for line in e.lines] == [1001, 2002]
    assert stock(app, "shop").lots["bichonglin/L1"] == {"quantity": Decimal(0), "value_fen": 0}


def test_selling_more_than_the_shop_holds_of_a_lot_is_refused_and_records_nothing() -> None:
    app = district()
    buy(app, site="shop", quantity="1")
    before = events(app)
    with pytest.raises(NotInStock) as refused:
        sell(app, "1.5")
    assert refused.value.extra["held"] == Decimal(1)
    with pytest.raises(NotInStock):
        sell(app, "1", lot="NEVER-BOUGHT")
    assert events(app) == before


def test_a_shop_that_never_bought_is_unmanaged_and_sells_as_before_until_its_first_purchase() -> None:
    app = district()
    sell(app, "5", key="old")  # round 1: no purchase, no stock, the sale stands
    assert app.find(InputStock.create_id("shop")) is None
    buy(app, site="shop", quantity="1")
    with pytest.raises(NotInStock):
        sell(app, "2", key="new")


def test_a_repeated_sale_draws_once() -> None:
    app = district()
    buy(app, site="shop", quantity="2")
    first = sell(app, "2", key="s1")
    assert sell(app, "2", key="s1") == first
    assert stock(app, "shop").held("bichonglin", "L1") == 0


def test_the_cost_share_rounds_half_up_and_the_last_of_a_lot_takes_what_is_left() -> None:
    assert cost_share(1000, Decimal(1), Decimal(3)) == 333
    assert cost_share(1000, Decimal("1.5"), Decimal(3)) == 500
    assert cost_share(1001, Decimal(1), Decimal(2)) == 501  # 500.5 rounds up
    assert cost_share(499, Decimal(2), Decimal(2)) == 499


def test_a_purchase_corrected_moves_the_lots_cost_by_the_difference_and_keeps_the_first() -> None:
    app = district()
    purchase_id = buy(app, quantity="10", cost=2000, payment="payable")["purchase_id"]
    answer = app.correct_purchase(site_id="depot", purchase_id=purchase_id, payment="cash",
                                  unit_costs_fen=[1900], corrected_at=at(1))
    assert (answer["payment"], answer["total_fen"]) == ("cash", 19000)
    assert stock(app, "depot").lots["bichonglin/L1"] == {"quantity": Decimal(10), "value_fen": 19000}
    before = events(app)
    assert buy(app)["total_fen"] == 20000  # the first command again: its first answer, nothing new
    app.correct_purchase(site_id="depot", purchase_id=purchase_id, payment="cash",
                         unit_costs_fen=[1900], corrected_at=at(2))
    assert events(app) == before
    [corrected] = [e for e in app.events.get(InputStock.create_id("depot"))
                   if type(e).__name__ == "PurchaseCorrected"]
    assert (corrected.was["total_fen"], corrected.now["total_fen"]) == (20000, 19000)


def test_a_correction_of_no_purchase_or_with_the_wrong_lines_or_below_what_is_left_is_refused() -> None:
    app = district()
    purchase_id = buy(app, quantity="2", cost=1000)["purchase_id"]
    with pytest.raises(UnknownPurchase):
        app.correct_purchase(site_id="depot", purchase_id="nope", payment="cash",
                             unit_costs_fen=[1], corrected_at=at(1))
    with pytest.raises(Invalid, match="give a unit cost for each"):
        app.correct_purchase(site_id="depot", purchase_id=purchase_id, payment="cash",
                             unit_costs_fen=[1, 2], corrected_at=at(1))
    app.transfer_inputs(from_site_id="depot", to_site_id="shop", sent_at=at(0, 5), key="t",
                        lines=[{"sku": "bichonglin", "lot": "L1", "quantity": "1.5"}])
    before = events(app)
    with pytest.raises(Conflict, match="too much of it was sold"):
        app.correct_purchase(site_id="depot", purchase_id=purchase_id, payment="payable",
                             unit_costs_fen=[0], corrected_at=at(1))
    assert events(app) == before
