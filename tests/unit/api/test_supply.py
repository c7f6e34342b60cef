"""POST /v1/input-purchases, /v1/input-transfers; GET /v1/input-stock, its holders and the
pesticide-supply report; a managed shop's sale over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.helpers import assert_problem, events, moment

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def depot(district: Gongxiao) -> Gongxiao:
    district.register_site(site_id="depot", name="农资公司仓库", kind="warehouse")
    return district


def exact(number: Any) -> Decimal:
    """A decimal of an answer, whether it came as a JSON number or a decimal string."""
    return Decimal(str(number))


def purchase(**change: Any) -> dict[str, Any]:
    return {"site_id": "depot", "supplier": "成都植保药械有限公司", "invoice_no": "ZB-1",
            "payment": "payable", "received_at": moment(-3),
            "lines": [{"sku": "bichonglin", "lot": "LOT-1", "quantity": 10, "unit_cost_fen": 2150}]
            } | change


def transfer(quantity: Any = 4, **change: Any) -> dict[str, Any]:
    return {"from_site_id": "depot", "to_site_id": "shop", "sent_at": moment(-2),
            "lines": [{"sku": "bichonglin", "lot": "LOT-1", "quantity": quantity}]} | change


def sale(quantity: Any) -> dict[str, Any]:
    return {"shop_id": "shop", "farmer_id": "zhang", "sold_at": moment(-1), "payment": "credit",
            "lines": [{"sku": "bichonglin", "lot": "LOT-1", "quantity": quantity,
                       "unit_price_fen": 2800}]}


def test_purchase_transfer_and_sale_leave_the_lots_at_cost_in_the_input_stock(
        client: TestClient, depot: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    bought = client.post("/v1/input-purchases", json=purchase(), headers=auth("admin"))
    assert bought.status_code == 201, bought.text
    assert bought.json()["total_fen"] == 21500 and bought.json()["site_id"] == "depot"
    moved = client.post("/v1/input-transfers", json=transfer(4), headers=auth("admin"))
    assert moved.status_code == 201 and moved.json()["cost_fen"] == 8600, moved.text
    assert client.post("/v1/input-sales", json=sale(1), headers=auth("shop")).status_code == 201
    catch_up()
    lots = client.get("/v1/input-stock", headers=auth("admin")).json()
    assert [(r["site_id"], exact(r["on_hand"]), r["on_hand_cost_fen"], r["cogs_fen"])
            for r in lots] == [("depot", 6, 12900, 0), ("shop", 3, 6450, 2150)]
    own = client.get("/v1/input-stock", headers=auth("shop")).json()
    assert [r["site_id"] for r in own] == ["shop"]
    holders = client.get("/v1/input-stock/holders", params={"sku": "bichonglin", "lot": "LOT-1"},
                         headers=auth("admin"))
    assert [(h["site_id"], exact(h["on_hand"])) for h in holders.json()] == [
        ("depot", 6), ("shop", 3)]


def test_selling_more_than_a_managed_shop_holds_is_a_conflict_and_records_nothing(
        client: TestClient, depot: Gongxiao, auth: Auth) -> None:
    client.post("/v1/input-purchases", json=purchase(site_id="shop"), headers=auth("shop"))
    before = events(depot)
    body = assert_problem(client.post("/v1/input-sales", json=sale(10.5), headers=auth("shop")),
                          409, detail="holds 10.000 of bichonglin lot LOT-1")
    assert body["lot"] == "LOT-1"
    assert_problem(client.post("/v1/input-transfers", json=transfer(11, from_site_id="shop",
                                                                    to_site_id="depot"),
                               headers=auth("shop")), 409, detail="shop holds 10.000")
    assert events(depot) == before


def test_a_repeated_purchase_answers_the_first_and_an_invoice_twice_is_a_conflict(
        client: TestClient, depot: Gongxiao, auth: Auth) -> None:
    key = {"Idempotency-Key": "purchase-1"}
    first = client.post("/v1/input-purchases", json=purchase(), headers=auth("admin") | key)
    again = client.post("/v1/input-purchases", json=purchase(), headers=auth("admin") | key)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    before = events(depot)
    assert_problem(client.post("/v1/input-purchases", json=purchase(), headers=auth("admin")),
                   409, detail="invoice ZB-1")
    assert events(depot) == before


def test_bad_purchases_and_transfers_are_refused_with_the_field(
        client: TestClient, depot: Gongxiao, auth: Auth) -> None:
    before = events(depot)
    assert_problem(client.post("/v1/input-purchases", json=purchase(payment="credit"),
                               headers=auth("admin")), 422, field="payment")
    assert_problem(client.post("/v1/input-purchases", json=purchase(site_id="yongan"),
                               headers=auth("admin")), 422, field="site_id")
    assert_problem(client.post("/v1/input-purchases", json=purchase(lines=[
        {"sku": "jiuhuang", "lot": "L", "quantity": 1, "unit_cost_fen": 1}]),
        headers=auth("admin")), 422, field="sku")
    assert_problem(client.post("/v1/input-transfers", json=transfer(to_site_id="depot"),
                               headers=auth("admin")), 422, field="to_site_id")
    assert_problem(client.post("/v1/input-transfers", json=transfer(), headers=auth("admin")),
                   409, detail="holds 0")
    assert events(depot) == before


def test_who_may_buy_move_and_read_input_stock(client: TestClient, depot: Gongxiao,
                                               auth: Auth) -> None:
    assert_problem(client.post("/v1/input-purchases", json=purchase(), headers=auth("shop")),
                   403)
    assert_problem(client.post("/v1/input-purchases", json=purchase(site_id="shop"),
                               headers=auth("shop-elsewhere")), 403)
    assert_problem(client.post("/v1/input-transfers", json=transfer(), headers=auth("shop")), 403)
    assert_problem(client.get("/v1/input-stock", params={"site_id": "depot"},
                              headers=auth("shop")), 403)
    assert_problem(client.get("/v1/input-stock", headers=auth("farmer")), 403)
    assert_problem(client.get("/v1/input-stock/holders", params={"sku": "x", "lot": "y"},
                              headers=auth("shop")), 403)
    assert_problem(client.get("/v1/reports/pesticide-supply",
                              params={"from": moment(-3), "to": moment(0)},
                              headers=auth("shop")), 403)


def test_the_pesticide_supply_report_over_http(client: TestClient, depot: Gongxiao, auth: Auth,
                                                catch_up: Callable[[], Any]) -> None:
    client.post("/v1/input-sales", json=sale(1), headers=auth("shop"))  # unmanaged shop
    for lot in ("LOT-1", "MARKET-9"):
        client.post("/v1/input-applications", headers=auth("farmer"), json={
            "farmer_id": "zhang", "sku": "bichonglin", "lot": lot, "applied_at": moment(-1, 2),
            "crop_sku": "jiuhuang"})
    catch_up()
    report = client.get("/v1/reports/pesticide-supply",
                        params={"from": moment(-3), "to": moment(0)}, headers=auth("admin"))
    assert report.status_code == 200, report.text
    assert exact(report.json()["rate"]) == Decimal("0.5")
    [area] = report.json()["areas"]
    assert (area["area"], area["applications"], area["supplied"], exact(area["rate"])) == (
        "永安村", 2, 1, Decimal("0.5"))
    assert_problem(client.get("/v1/reports/pesticide-supply",
                              params={"from": moment(0), "to": moment(-3)},
                              headers=auth("admin")), 422, field="from")
