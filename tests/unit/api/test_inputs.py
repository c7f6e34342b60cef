"""POST /v1/input-sales and /v1/input-applications."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.helpers import assert_problem, events, moment

Auth = Callable[[str], dict[str, str]]


def sale(**change: Any) -> dict[str, Any]:
    return {"shop_id": "shop", "farmer_id": "zhang", "sold_at": moment(-3), "payment": "credit",
            "lines": [{"sku": "bichonglin", "lot": "LOT-1", "quantity": 2, "unit_price_fen": 2800},
                      {"sku": "fuhefei", "lot": "LOT-2", "quantity": 1.5, "unit_price_fen": 16500}]
            } | change


def application(**change: Any) -> dict[str, Any]:
    return {"farmer_id": "zhang", "sku": "bichonglin", "lot": "LOT-1",
            "applied_at": moment(-2), "crop_sku": "jiuhuang"} | change


def test_record_input_sale_answers_the_total(client: TestClient, district: Gongxiao,
                                             auth: Auth) -> None:
    response = client.post("/v1/input-sales", json=sale(), headers=auth("shop"))
    assert response.status_code == 201, response.text
    assert response.json()["total_fen"] == 2 * 2800 + 24750
    assert set(response.json()) == {"sale_id", "total_fen"}


def test_record_input_sale_for_unknown_farmer_is_not_found(client: TestClient, district: Gongxiao,
                                                           auth: Auth) -> None:
    before = events(district)
    assert_problem(client.post("/v1/input-sales", json=sale(farmer_id="nobody"),
                               headers=auth("admin")), 404, detail="nobody")
    assert events(district) == before


def test_record_input_sale_of_produce_or_at_a_cold_store_is_refused(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    before = events(district)
    produce = sale(lines=[{"sku": "jiuhuang", "lot": "L", "quantity": 1, "unit_price_fen": 1}])
    assert_problem(client.post("/v1/input-sales", json=produce, headers=auth("admin")), 422,
                   field="sku")
    assert_problem(client.post("/v1/input-sales", json=sale(shop_id="yongan"),
                               headers=auth("admin")), 422, detail="not a input_shop")
    assert events(district) == before


def test_record_input_sale_without_lines_or_with_unknown_payment_is_refused(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    before = events(district)
    assert_problem(client.post("/v1/input-sales", json=sale(lines=[]), headers=auth("shop")),
                   422, field="lines")
    assert_problem(client.post("/v1/input-sales", json=sale(payment="barter"),
                               headers=auth("shop")), 422, field="payment")
    assert_problem(client.post("/v1/input-sales", json=sale(lines=[
        {"sku": "fuhefei", "lot": "L", "quantity": 1, "unit_price_fen": 1.5}]),
        headers=auth("shop")), 422, field="lines[0].unit_price_fen")
    assert events(district) == before


def test_record_input_application_answers_its_id(client: TestClient, district: Gongxiao,
                                                 auth: Auth) -> None:
    response = client.post("/v1/input-applications", json=application(), headers=auth("farmer"))
    assert response.status_code == 201, response.text
    again = client.post("/v1/input-applications", json=application(), headers=auth("farmer"))
    assert again.json() == response.json()


def test_record_input_application_of_unknown_input_or_to_an_input_is_refused(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    before = events(district)
    assert_problem(client.post("/v1/input-applications", json=application(sku="ddt"),
                               headers=auth("shop")), 404, detail="ddt")
    assert_problem(client.post("/v1/input-applications", json=application(crop_sku="fuhefei"),
                               headers=auth("shop")), 422, field="sku")
    assert events(district) == before
