"""The rule suite: the use cases on each store — in memory and on SQLite here, and the same
tests on PostgreSQL in ``tests/integration/test_use_cases_postgres.py`` (``store_env``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from domain.batch import BatchOnHold, MassBalanceExceeded
from domain.errors import DomainError, IdempotencyConflict, Invalid, NotFound
from domain.shelf import PackNotAtOutlet
from domain.stock import StockShort
from infra.application import StoredGongxiao
from tests.district import at, events, graded, intake, packs, seed
from tests.unit.conftest import IN_MEMORY


@pytest.fixture
def district(store_env: dict[str, str]) -> Iterator[StoredGongxiao]:
    app = StoredGongxiao(env=store_env)
    yield seed(app)
    app.close()


def refused(app: StoredGongxiao, error: type[DomainError], call: Callable[..., Any], *args: Any,
            **kwargs: Any) -> DomainError:
    """Run a command that must be refused, and check it recorded nothing."""
    before = events(app)
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    assert events(app) == before, "a refused command recorded events"
    return caught.value


def test_the_flow_from_field_to_till_is_recorded(district: StoredGongxiao, store_env: dict) -> None:
    app = district
    graded(app, "B1")
    codes = packs(app, 10, key="run-1")
    order = app.place_order(outlet_id="out-a", placed_at=at(0, 5), key="o-1", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 4}])
    reserved = order["lines"][0]["reserved_pack_codes"]
    assert set(reserved) <= set(codes)
    shipment = app.ship(order_id=order["order_id"], pack_codes=reserved, departed_at=at(0, 6))
    delivery = app.confirm_delivery(shipment_id=shipment["shipment_id"], received_at=at(0, 8),
                                    pack_codes=reserved[:3])
    assert delivery["missing"] == [reserved[3]]
    app.sell_pack(outlet_id="out-a", pack_code=reserved[0], sold_at=at(0, 9), price_fen=1680)
    app.pay_farmer(farmer_id="zhang", amount_fen=30000, paid_at=at(1), method="cash", reference="R1")

    # A second process reading the same store; in memory, the store is this process's own.
    reopened = app if store_env == IN_MEMORY else StoredGongxiao(env=store_env)
    assert reopened.order(order["order_id"]).status == "shipped"
    assert reopened.describe_batch("B1")["graded_kg_remaining"] == {"A": Decimal("55.000"),
                                                                     "B": Decimal("30.000")}
    with pytest.raises(PackNotAtOutlet):
        reopened.sell_pack(outlet_id="out-a", pack_code=reserved[3], sold_at=at(1), price_fen=1)
    if reopened is not app:
        reopened.close()


def test_every_stored_event_has_a_stable_gongxiao_topic(district: StoredGongxiao) -> None:
    graded(district, "B1")
    packs(district, 2)
    topics = {n.topic for n in district.recorder.select_notifications(start=1, limit=1000)}
    assert topics and all(t.startswith("gongxiao:") for t in topics), topics


def test_intake_inside_a_pre_harvest_interval_puts_the_batch_on_hold(district: StoredGongxiao) -> None:
    app = district
    app.record_input_application(farmer_id="wang", sku="bichonglin", lot="L-9",
                                 applied_at=at(-2), crop_sku="jiuhuang")
    answer = intake(app, "B-held", farmer="wang")
    assert answer["status"] == "on_hold" and "L-9" in answer["holds"][0]["detail"]
    refused(app, BatchOnHold, app.grade_batch, batch_code="B-held", graded_at=at(0, 3),
            grades={"A": "10"}, reject_kg="0")
    app.release_batch(batch_code="B-held", reason="residue test passed", at=at(0, 4))
    app.grade_batch(batch_code="B-held", graded_at=at(0, 5), grades={"A": "10"}, reject_kg="0")
    assert app.batch("B-held").status == "graded"


def test_packing_a_held_batch_by_name_is_refused(district: StoredGongxiao) -> None:
    app = district
    app.record_input_application(farmer_id="wang", sku="bichonglin", lot="L-9",
                                 applied_at=at(-2), crop_sku="jiuhuang")
    intake(app, "B-held", farmer="wang")
    graded(app, "B-ok")
    error = refused(app, BatchOnHold, app.run_packing, site_id="yongan", sku="jiuhuang",
                    grade="A", pack_kg="1", count=1, packed_at=at(1),
                    sources=[{"batch_code": "B-held", "kg": "1"}])
    assert "release" in error.detail


def test_grading_beyond_intake_records_nothing(district: StoredGongxiao) -> None:
    intake(district, "B1")
    refused(district, MassBalanceExceeded, district.grade_batch, batch_code="B1",
            graded_at=at(0, 3), grades={"A": "90", "B": "10"}, reject_kg="0.5")


def test_grading_earns_at_the_price_in_force(district: StoredGongxiao) -> None:
    district.set_price(sku="jiuhuang", effective_from=at(1), grades={"A": 1500, "B": 900})
    early, late = graded(district, "B1", day=0), graded(district, "B2", day=1)
    assert early["earned_fen"] == {"A": 72000, "B": 24000}
    assert late["earned_fen"] == {"A": 90000, "B": 27000}


def test_orders_beyond_stock_are_refused_whole(district: StoredGongxiao) -> None:
    graded(district, "B1")
    packs(district, 3)
    error = refused(district, StockShort, district.place_order, outlet_id="out-a", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2},
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2}], placed_at=at(0, 5))
    assert error.extra["available"] == 1


def test_cancelling_an_order_makes_its_packs_available(district: StoredGongxiao) -> None:
    graded(district, "B1")
    packs(district, 2)
    line = {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2}
    order = district.place_order(outlet_id="out-a", lines=[line], placed_at=at(0, 5))
    refused(district, StockShort, district.place_order, outlet_id="out-b", lines=[line],
            placed_at=at(0, 5))
    district.cancel_order(order_id=order["order_id"], at=at(0, 6))
    again = district.place_order(outlet_id="out-b", lines=[line], placed_at=at(0, 7))
    assert again["lines"][0]["reserved_pack_codes"] == order["lines"][0]["reserved_pack_codes"]


def test_repeated_scans_record_one_event_and_answer_the_same(district: StoredGongxiao) -> None:
    app = district
    first = intake(app, "B1")
    count = events(app)
    assert intake(app, "B1") == first and events(app) == count
    refused(app, IdempotencyConflict, intake, app, "B1", net_kg="99")

    grading = app.grade_batch(batch_code="B1", graded_at=at(0, 3), grades={"A": "60"},
                              reject_kg="5")
    count = events(app)
    assert app.grade_batch(batch_code="B1", graded_at=at(0, 3), grades={"A": "60"},
                           reject_kg="5") == grading
    assert packs(app, 4, key="scan-7") == packs(app, 4, key="scan-7")
    line = {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2}
    order = app.place_order(outlet_id="out-a", lines=[line], placed_at=at(0, 5), key="o-7")
    assert app.place_order(outlet_id="out-a", lines=[line], placed_at=at(0, 5), key="o-7") == order
    codes = order["lines"][0]["reserved_pack_codes"]
    ship = app.ship(order_id=order["order_id"], pack_codes=codes, departed_at=at(0, 6), key="s-7")
    assert app.ship(order_id=order["order_id"], pack_codes=codes, departed_at=at(0, 6),
                    key="s-7") == ship
    answers, counts = [], []
    for _ in range(2):
        answers.append((
            app.confirm_delivery(shipment_id=ship["shipment_id"], received_at=at(0, 8),
                                 pack_codes=codes),
            app.sell_pack(outlet_id="out-a", pack_code=codes[0], sold_at=at(0, 9), price_fen=1680),
            app.pay_farmer(farmer_id="zhang", amount_fen=1, paid_at=at(1), method="cash",
                           reference="R")))
        counts.append(events(app))
    assert answers[0] == answers[1] and counts[0] == counts[1]


def test_unknown_things_are_not_found_and_bad_input_is_invalid(district: StoredGongxiao) -> None:
    refused(district, NotFound, intake, district, "B1", farmer="nobody")
    refused(district, NotFound, district.grade_batch, batch_code="nope", graded_at=at(0),
            grades={"A": "1"}, reject_kg="0")
    refused(district, Invalid, intake, district, "B1", net_kg="1.0001")
    refused(district, Invalid, intake, district, "B1", sku="bichonglin")  # an input, not produce
    refused(district, NotFound, district.order, order_id="not-a-uuid")


def test_input_sales_on_credit_are_priced_in_fen(district: StoredGongxiao) -> None:
    sale = district.record_input_sale(
        shop_id="shop", farmer_id="zhang", sold_at=at(0), payment="credit", key="sale-1",
        lines=[{"sku": "fuhefei", "lot": "FH-1", "quantity": 2, "unit_price_fen": 16500},
               {"sku": "bichonglin", "lot": "B-1", "quantity": "1.5", "unit_price_fen": 2801}])
    assert sale["total_fen"] == 33000 + 4202
    refused(district, IdempotencyConflict, district.record_input_sale, shop_id="shop",
            farmer_id="zhang", sold_at=at(0), payment="cash", key="sale-1",
            lines=[{"sku": "fuhefei", "lot": "FH-1", "quantity": 2, "unit_price_fen": 16500}])


def test_cold_room_excursions_name_the_products_out_of_range(district: StoredGongxiao) -> None:
    answer = district.log_temperatures(site_id="yongan", room="R1", readings=[
        {"at": at(0, 1), "celsius": Decimal("3.5")}, {"at": at(0, 2), "celsius": Decimal("6.1")}])
    assert answer["accepted"] == 2
    assert [e["skus"] for e in answer["excursions"]] == [["jiuhuang"]]


def test_class_topics_survive_a_rename(district: StoredGongxiao) -> None:
    from domain.batch import Batch

    assert get_topic(Batch.Graded) == "gongxiao:Batch.Graded"
