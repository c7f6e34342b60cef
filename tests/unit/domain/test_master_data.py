"""Products, prices, farmers and their spray diaries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import IdempotencyConflict, Invalid
from domain.farmer import Farmer
from domain.product import NoPrice, Product
from tests.district import at


def produce() -> Product:
    return Product.register(sku="jiuhuang", name="韭黄", kind="produce", unit="kg",
                            shelf_life_days=7)


def test_pesticide_needs_its_pre_harvest_interval_and_registration() -> None:
    with pytest.raises(Invalid) as refused:
        Product.register(sku="p", name="农药", kind="input", unit="bottle",
                         input_class="pesticide", active_ingredient="x", registration_no="PD1")
    assert refused.value.extra["field"] == "phi_days"


def test_produce_needs_a_shelf_life_and_is_sold_by_the_kg() -> None:
    with pytest.raises(Invalid):
        Product.register(sku="x", name="x", kind="produce", unit="kg")
    with pytest.raises(Invalid):
        Product.register(sku="x", name="x", kind="produce", unit="bag", shelf_life_days=3)


def test_price_in_force_is_the_latest_effective_on_the_day() -> None:
    product = produce()
    product.set_price(effective_from=at(0), grades={"A": 1000})
    product.set_price(effective_from=at(10), grades={"A": 1100})
    assert product.price_on(at(9), "A") == 1000
    assert product.price_on(at(10), "A") == 1100
    with pytest.raises(NoPrice):
        product.price_on(at(-1), "A")
    with pytest.raises(NoPrice):
        product.price_on(at(11), "B")


def test_prices_are_whole_fen() -> None:
    with pytest.raises(Invalid):
        produce().set_price(effective_from=at(0), grades={"A": 10.5})  # type: ignore[dict-item]


def test_the_same_payment_reference_pays_once() -> None:
    farmer = Farmer(farmer_id="zhang", name="张德明", village="永安村", phone=None)
    farmer.pay(amount_fen=5000, paid_at=at(1), method="bank", reference="R1")
    farmer.pay(amount_fen=5000, paid_at=at(1), method="bank", reference="R1")
    with pytest.raises(IdempotencyConflict):
        farmer.pay(amount_fen=6000, paid_at=at(1), method="bank", reference="R1")
    assert len(farmer.payments) == 1


def test_spray_diary_reaches_harvests_of_that_crop_on_or_after_application() -> None:
    farmer = Farmer(farmer_id="zhang", name="张德明", village="永安村", phone=None)
    farmer.apply_input(application_id="a1", sku="bichonglin", lot="L1", applied_at=at(0),
                       crop_sku="jiuhuang", active_ingredient="吡虫啉", phi_days=7)
    assert farmer.applications_to("jiuhuang", at(0) + timedelta(hours=1))
    assert not farmer.applications_to("jiuhuang", at(-1))
    assert not farmer.applications_to("woshun", at(3))
