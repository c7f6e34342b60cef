"""Corrections of an input sale, a payment to a farmer and a capital contribution: what it was
and what it is recorded, never an edit; the lots a sale drew from follow its quantities; the
same correction id again records nothing, another correction under it is refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.application import Gongxiao
from domain.books import MemberCapital
from domain.errors import IdempotencyConflict, Invalid, NotFound
from domain.farmer import Farmer
from domain.input_stock import InputStock, NotInStock
from tests.district import at, events, seed


def shop_with_stock(quantity: str = "10", cost: int = 2000) -> Gongxiao:
    app = seed(Gongxiao())
    app.record_purchase(site_id="shop", supplier="川化", invoice_no="I1", payment="cash",
                        received_at=at(0), key="p1", lines=[
                            {"sku": "bichonglin", "lot": "L1", "quantity": quantity,
                             "unit_cost_fen": cost}])
    return app


def sell(app: Gongxiao, quantity: str = "3", price: int = 2800) -> str:
    sold = app.record_input_sale(shop_id="shop", farmer_id="zhang", sold_at=at(1),
                                 payment="credit", key="s1", lines=[
                                     {"sku": "bichonglin", "lot": "L1", "quantity": quantity,
                                      "unit_price_fen": price}])
    return str(sold["sale_id"])


def fix(app: Gongxiao, sale_id: str, quantity: str, price: int = 2800,
        key: str | None = "c1", reason: str = "录错数量") -> dict[str, Any]:
    return app.correct_input_sale(sale_id=sale_id, shop_id="shop", reason=reason,
                                  corrected_at=at(2), key=key,
                                  lines=[{"quantity": quantity, "unit_price_fen": price}])


def lot(app: Gongxiao) -> dict[str, Any]:
    found = app.find(InputStock.create_id("shop"))
    assert isinstance(found, InputStock)
    return dict(found.lots["bichonglin/L1"])


def named(app: Gongxiao, aggregate_id: Any, name: str) -> list[Any]:
    return [e for e in app.events.get(aggregate_id) if type(e).__name__ == name]


def test_a_sale_corrected_gives_back_what_it_drew_and_draws_the_corrected_quantity() -> None:
    app = shop_with_stock()  # 10 at 2000 fen: 20000
    sale_id = sell(app, "3")  # draws 6000
    assert lot(app) == {"quantity": Decimal(7), "value_fen": 14000}
    answer = fix(app, sale_id, "5", 2700)
    assert answer["total_fen"] == 5 * 2700
    assert lot(app) == {"quantity": Decimal(5), "value_fen": 10000}
    [corrected] = named(app, InputStock.create_id("shop"), "SaleCorrected")
    assert ([(line["quantity"], line["cost_fen"]) for line in corrected.was],
            [(line["quantity"], line["cost_fen"]) for line in corrected.now]) == (
        [(Decimal(3), 6000)], [(Decimal(5), 10000)])
    [said] = named(app, UUID(sale_id), "Corrected")
    assert (said.was["total_fen"], said.now["total_fen"]) == (3 * 2800, 5 * 2700)
    assert (said.farmer_id, said.payment) == ("zhang", "credit")


def test_a_price_corrected_keeps_what_the_sale_drew_and_moves_no_stock() -> None:
    app = shop_with_stock()
    sale_id = sell(app, "3")
    before = lot(app)
    assert fix(app, sale_id, "3", 3000)["total_fen"] == 9000
    assert lot(app) == before
    assert named(app, InputStock.create_id("shop"), "SaleCorrected") == []


def test_correcting_a_sale_to_more_than_the_shop_holds_is_refused_and_records_nothing() -> None:
    app = shop_with_stock("4")
    sale_id = sell(app, "3")  # 1 left; the sale may grow to 4, not 5
    before = events(app)
    with pytest.raises(NotInStock) as refused:
        fix(app, sale_id, "5")
    assert refused.value.extra["field"] == "lines[0].quantity"
    assert events(app) == before
    fix(app, sale_id, "4")
    assert lot(app) == {"quantity": Decimal(0), "value_fen": 0}


def test_a_sale_correction_is_known_by_its_id_and_one_changing_nothing_records_nothing() -> None:
    app = shop_with_stock()
    sale_id = sell(app, "3")
    first = fix(app, sale_id, "2", key="c1")
    before = events(app)
    assert fix(app, sale_id, "2", key="c1") == first
    assert events(app) == before
    with pytest.raises(IdempotencyConflict):
        fix(app, sale_id, "1", key="c1")
    fix(app, sale_id, "2", key="c2")  # another id saying what the sale now says: nothing
    assert events(app) == before
    # the sale's own command sent again answers as before, corrected or not
    assert sell(app, "3") == sale_id


def test_bad_sale_corrections_are_refused() -> None:
    app = shop_with_stock()
    sale_id = sell(app, "3")
    before = events(app)
    with pytest.raises(NotFound):
        fix(app, "not-a-sale", "2")
    with pytest.raises(NotFound):
        app.correct_input_sale(sale_id=sale_id, shop_id="yongan", reason="x",
                               corrected_at=at(2), lines=[{"quantity": "2", "unit_price_fen": 1}])
    with pytest.raises(Invalid, match="correct each of them"):
        app.correct_input_sale(sale_id=sale_id, shop_id="shop", reason="x", corrected_at=at(2),
                               lines=[{"quantity": "2", "unit_price_fen": 1}] * 2)
    with pytest.raises(Invalid, match="says why"):
        fix(app, sale_id, "2", reason=" ")
    with pytest.raises(Invalid):
        fix(app, sale_id, "0")
    assert events(app) == before


def test_a_sale_at_a_shop_keeping_no_stock_is_corrected_alone() -> None:
    app = seed(Gongxiao())
    sale_id = sell(app, "3")
    assert fix(app, sale_id, "30")["total_fen"] == 30 * 2800
    assert app.find(InputStock.create_id("shop")) is None


def test_the_stock_keeps_no_record_of_its_sales_and_a_second_correction_reads_the_first(
) -> None:
    app = shop_with_stock()
    sale_id = sell(app, "3")
    stock = app.find(InputStock.create_id("shop"))
    assert isinstance(stock, InputStock)
    assert not any(sale_id in str(value) for value in vars(stock).values())  # no growth by sales
    fix(app, sale_id, "2", key="first")
    fix(app, sale_id, "4", key="second")  # gives back the 2 the first correction drew
    stock = app.find(InputStock.create_id("shop"))
    assert isinstance(stock, InputStock)
    drew = InputStock.drew(sale_id, app.events.get(stock.id, desc=True))
    assert [Decimal(line["quantity"]) for line in drew or []] == [Decimal(4)]
    assert lot(app)["quantity"] == Decimal(6)  # 10 bought, 4 sold in the end


def test_a_payment_corrected_records_what_it_was_and_is_once_per_id() -> None:
    app = seed(Gongxiao())
    app.pay_farmer(farmer_id="zhang", amount_fen=50000, paid_at=at(1), method="cash",
                   reference="P1")
    answer = app.correct_payment(farmer_id="zhang", reference="P1", amount_fen=45000,
                                 method="bank_transfer", reason="录错金额", corrected_at=at(2),
                                 key="k1")
    assert answer == {"farmer_id": "zhang", "reference": "P1", "amount_fen": 45000,
                      "method": "bank_transfer"}
    [corrected] = named(app, Farmer.create_id("zhang"), "PaymentCorrected")
    assert (corrected.was, corrected.now) == ({"amount_fen": 50000, "method": "cash"},
                                              {"amount_fen": 45000, "method": "bank_transfer"})
    before = events(app)
    app.correct_payment(farmer_id="zhang", reference="P1", amount_fen=45000,
                        method="bank_transfer", reason="录错金额", corrected_at=at(3), key="k1")
    app.pay_farmer(farmer_id="zhang", amount_fen=50000, paid_at=at(1), method="cash",
                   reference="P1")  # the payment's command again: as first said, nothing new
    assert events(app) == before
    with pytest.raises(IdempotencyConflict):
        app.correct_payment(farmer_id="zhang", reference="P1", amount_fen=1, method="cash",
                            reason="x", corrected_at=at(3), key="k1")
    with pytest.raises(NotFound):
        app.correct_payment(farmer_id="zhang", reference="P9", amount_fen=1, method="cash",
                            reason="x", corrected_at=at(3), key="k2")
    with pytest.raises(Invalid):
        app.correct_payment(farmer_id="zhang", reference="P1", amount_fen=0, method="cash",
                            reason="x", corrected_at=at(3), key="k3")
    assert events(app) == before


def test_a_capital_contribution_corrected_changes_the_members_capital_once_per_id() -> None:
    app = seed(Gongxiao())
    app.register_unit(unit_id="u1", name="唐昌供销社", kind="grassroots")
    app.contribute_capital(unit_id="u1", farmer_id="zhang", amount_fen=100000, paid_at=at(1),
                           method="cash", reference="G1")
    answer = app.correct_capital(unit_id="u1", farmer_id="zhang", reference="G1",
                                 amount_fen=120000, method="cash", reason="少录",
                                 corrected_at=at(2), key="k1")
    assert (answer["amount_fen"], answer["capital_fen"]) == (120000, 120000)
    [corrected] = named(app, MemberCapital.create_id("u1", "zhang"), "Corrected")
    assert (corrected.was["amount_fen"], corrected.now["amount_fen"]) == (100000, 120000)
    before = events(app)
    app.correct_capital(unit_id="u1", farmer_id="zhang", reference="G1", amount_fen=120000,
                        method="cash", reason="少录", corrected_at=at(3), key="k1")
    app.contribute_capital(unit_id="u1", farmer_id="zhang", amount_fen=100000, paid_at=at(1),
                           method="cash", reference="G1")
    assert events(app) == before
    with pytest.raises(NotFound):
        app.correct_capital(unit_id="u1", farmer_id="wang", reference="G1", amount_fen=1,
                            method="cash", reason="x", corrected_at=at(3))
    with pytest.raises(IdempotencyConflict):
        app.correct_capital(unit_id="u1", farmer_id="zhang", reference="G1", amount_fen=1,
                            method="cash", reason="x", corrected_at=at(3), key="k1")
    assert events(app) == before
