"""PUT /v1/farmers, /v1/sites, /v1/products and /v1/prices (admin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.helpers import assert_problem, events, moment

Auth = Callable[[str], dict[str, str]]
CHIVES = {"name": "韭黄", "kind": "produce", "unit": "kg", "shelf_life_days": 7,
          "temp_min_c": 0, "temp_max_c": 4}


def test_put_farmer_registers_and_corrects(client: TestClient, app: Gongxiao, auth: Auth) -> None:
    body = {"name": "张德明", "village": "永安村", "phone": "13800000001"}
    response = client.put("/v1/farmers/f-zhang", json=body, headers=auth("admin"))
    assert response.status_code == 200
    assert response.json() == {"farmer_id": "f-zhang", **body}
    corrected = client.put("/v1/farmers/f-zhang", json=body | {"village": "金星村"},
                           headers=auth("admin"))
    assert corrected.json()["village"] == "金星村"


def test_put_farmer_without_a_name_is_refused(client: TestClient, app: Gongxiao, auth: Auth) -> None:
    before = events(app)
    assert_problem(client.put("/v1/farmers/f-x", json={"village": "永安村"}, headers=auth("admin")),
                   422, field="name")
    assert events(app) == before


def test_put_farmer_with_a_bad_id_is_refused(client: TestClient, app: Gongxiao, auth: Auth) -> None:
    assert_problem(client.put("/v1/farmers/张", json={"name": "a", "village": "b"},
                              headers=auth("admin")), 422, field="farmer_id")


def test_put_site_registers_with_default_timezone(client: TestClient, app: Gongxiao,
                                                  auth: Auth) -> None:
    response = client.put("/v1/sites/yongan", json={"name": "永安村冷库", "kind": "cold_store"},
                          headers=auth("admin"))
    assert response.status_code == 200
    assert response.json() == {"site_id": "yongan", "name": "永安村冷库", "kind": "cold_store",
                               "timezone": "Asia/Shanghai"}


def test_put_site_of_another_kind_is_a_conflict(client: TestClient, district: Gongxiao,
                                                auth: Auth) -> None:
    before = events(district)
    assert_problem(client.put("/v1/sites/yongan", json={"name": "x", "kind": "outlet"},
                              headers=auth("admin")), 409, detail="never changes kind")
    assert events(district) == before


def test_put_site_with_unknown_kind_or_zone_is_refused(client: TestClient, app: Gongxiao,
                                                       auth: Auth) -> None:
    assert_problem(client.put("/v1/sites/s1", json={"name": "x", "kind": "farm"},
                              headers=auth("admin")), 422, field="kind")
    assert_problem(client.put("/v1/sites/s1", json={"name": "x", "kind": "outlet",
                                                    "timezone": "Mars/Olympus"},
                              headers=auth("admin")), 422, field="timezone")
    assert events(app) == 0


def test_put_product_registers_produce_and_pesticide(client: TestClient, app: Gongxiao,
                                                     auth: Auth) -> None:
    produce = client.put("/v1/products/jiuhuang", json=CHIVES, headers=auth("admin"))
    assert produce.status_code == 200
    assert produce.json()["shelf_life_days"] == 7
    pesticide = client.put("/v1/products/bichonglin", headers=auth("admin"), json={
        "name": "吡虫啉", "kind": "input", "unit": "bottle", "input_class": "pesticide",
        "active_ingredient": "吡虫啉", "registration_no": "PD20040001", "phi_days": 7})
    assert pesticide.status_code == 200
    assert pesticide.json()["phi_days"] == 7


def test_put_pesticide_without_pre_harvest_interval_is_refused(client: TestClient, app: Gongxiao,
                                                               auth: Auth) -> None:
    response = client.put("/v1/products/p1", headers=auth("admin"), json={
        "name": "x", "kind": "input", "unit": "bottle", "input_class": "pesticide",
        "active_ingredient": "y", "registration_no": "PD1"})
    assert_problem(response, 422, field="phi_days")
    assert events(app) == 0


def test_put_price_adds_a_price(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    body = {"effective_from": moment(1), "grades": {"A": 1300, "B": 900}}
    response = client.put("/v1/prices/jiuhuang", json=body, headers=auth("admin"))
    assert response.status_code == 200
    assert response.json()["grades"] == {"A": 1300, "B": 900}


def test_put_price_of_unknown_product_is_not_found(client: TestClient, district: Gongxiao,
                                                   auth: Auth) -> None:
    before = events(district)
    assert_problem(client.put("/v1/prices/durian", json={"effective_from": moment(1),
                                                         "grades": {"A": 1}},
                              headers=auth("admin")), 404, detail="durian")
    assert events(district) == before


def test_put_price_of_an_input_or_of_zero_is_refused(client: TestClient, district: Gongxiao,
                                                     auth: Auth) -> None:
    before = events(district)
    assert_problem(client.put("/v1/prices/fuhefei", json={"effective_from": moment(1),
                                                           "grades": {"A": 100}},
                              headers=auth("admin")), 422, field="sku")
    assert_problem(client.put("/v1/prices/jiuhuang", json={"effective_from": moment(1),
                                                            "grades": {"A": 0}},
                              headers=auth("admin")), 422, field="grades")
    assert_problem(client.put("/v1/prices/jiuhuang", json={"effective_from": moment(1),
                                                            "grades": {"A": 12.5}},
                              headers=auth("admin")), 422, field="grades.A")
    assert events(district) == before


def test_staff_list_farmers_by_name_pinyin_and_phone_tail(
        client: TestClient, district: Gongxiao, auth: Any, catch_up: Any) -> None:
    catch_up()
    farmers = client.get("/v1/farmers", headers=auth("operator"))
    assert farmers.status_code == 200
    zhang = next(f for f in farmers.json() if f["farmer_id"] == "zhang")
    assert zhang == {"farmer_id": "zhang", "name": "张德明", "village": "永安村",
                     "phone_tail": "0001", "pinyin": "zhangdeming", "initials": "zdm"}
    wang = next(f for f in farmers.json() if f["farmer_id"] == "wang")
    assert wang["phone_tail"] is None
    assert client.get("/v1/farmers", headers=auth("outlet")).status_code == 403
    assert client.get("/v1/farmers").status_code == 401


def test_screens_read_products_by_name(client: TestClient, district: Gongxiao, auth: Any,
                                       catch_up: Any) -> None:
    catch_up()
    products = client.get("/v1/products", headers=auth("operator")).json()
    assert {"sku": "jiuhuang", "name": "韭黄", "kind": "produce"} in products
    kinds = [p["kind"] for p in products]
    assert kinds == sorted(kinds, reverse=True)  # produce first, then the inputs
    assert client.get("/v1/products", headers=auth("farmer")).status_code == 403


def test_staff_list_sites_by_name(client: TestClient, district: Gongxiao, auth: Any,
                                  catch_up: Any) -> None:
    catch_up()
    sites = client.get("/v1/sites", headers=auth("operator"))
    assert sites.status_code == 200
    assert {"site_id": "out-a", "name": "金牛直营店", "kind": "outlet"} in sites.json()
    assert client.get("/v1/sites", headers=auth("farmer")).status_code == 403
