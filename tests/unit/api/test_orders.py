"""POST /v1/orders, GET /v1/orders/{id}, GET /v1/orders, POST /v1/orders/{id}/cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.helpers import assert_problem, events, order_body, shipped, stocked

Auth = Callable[[str], dict[str, str]]


def test_place_order_reserves_packs_fefo(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    codes = stocked(district, packs=4)
    response = client.post("/v1/orders", json=order_body(3), headers=auth("outlet"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "placed"
    assert body["lines"] == [{"sku": "jiuhuang", "grade": "A", "pack_kg": 0.5, "packs": 3,
                              "reserved_pack_codes": codes[:3]}]


def test_place_order_short_of_packs_is_a_conflict_saying_what_is_there(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    stocked(district, packs=2)
    before = events(district)
    problem = assert_problem(client.post("/v1/orders", json=order_body(5), headers=auth("outlet")),
                             409, detail="only 2 packs")
    assert problem["available"] == 2
    assert events(district) == before


def test_place_order_for_unknown_outlet_or_without_lines_is_refused(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    stocked(district, packs=2)
    before = events(district)
    assert_problem(client.post("/v1/orders", json=order_body(1, outlet="out-z"),
                               headers=auth("admin")), 404)
    assert_problem(client.post("/v1/orders", json={"outlet_id": "out-a", "lines": []},
                               headers=auth("admin")), 422, field="lines")
    assert_problem(client.post("/v1/orders", json=order_body(0), headers=auth("admin")), 422,
                   field="lines[0].packs")
    assert events(district) == before


def test_get_order_answers_the_pick_list(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    stocked(district, packs=2)
    placed = client.post("/v1/orders", json=order_body(2), headers=auth("outlet")).json()
    response = client.get(f"/v1/orders/{placed['order_id']}", headers=auth("outlet"))
    assert response.status_code == 200
    assert response.json() == placed


def test_get_order_unknown_is_not_found(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    assert_problem(client.get("/v1/orders/00000000-0000-0000-0000-000000000000",
                              headers=auth("admin")), 404)
    assert_problem(client.get("/v1/orders/not-an-order", headers=auth("admin")), 404)


def test_list_orders_filters_by_outlet_and_status(client: TestClient, district: Gongxiao,
                                                  auth: Auth, catch_up: Callable[[], Any]) -> None:
    stocked(district, packs=6)
    first = client.post("/v1/orders", json=order_body(2), headers=auth("outlet")).json()
    client.post("/v1/orders", json=order_body(2, outlet="out-b"), headers=auth("outlet-b"))
    client.post(f"/v1/orders/{first['order_id']}/cancel", headers=auth("outlet"))
    catch_up()
    mine = client.get("/v1/orders", headers=auth("outlet")).json()
    assert [(o["order_id"], o["status"]) for o in mine] == [(first["order_id"], "cancelled")]
    placed = client.get("/v1/orders", params={"status": "placed"}, headers=auth("admin")).json()
    assert [o["outlet_id"] for o in placed] == ["out-b"]
    assert len(client.get("/v1/orders", headers=auth("operator")).json()) == 2


def test_list_orders_of_another_outlet_is_forbidden(client: TestClient, district: Gongxiao,
                                                    auth: Auth) -> None:
    assert_problem(client.get("/v1/orders", params={"outlet_id": "out-b"},
                              headers=auth("outlet")), 403, detail="out-a")


def test_cancel_order_releases_its_packs(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    stocked(district, packs=2)
    placed = client.post("/v1/orders", json=order_body(2), headers=auth("outlet")).json()
    response = client.post(f"/v1/orders/{placed['order_id']}/cancel", json={"reason": "改订"},
                           headers=auth("outlet"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    again = client.post("/v1/orders", json=order_body(2, outlet="out-b"), headers=auth("outlet-b"))
    assert again.status_code == 201


def test_cancel_shipped_order_is_a_conflict(client: TestClient, district: Gongxiao,
                                            auth: Auth) -> None:
    stocked(district, packs=2)
    trip = shipped(district, ["x", "y"])
    before = events(district)
    assert_problem(client.post(f"/v1/orders/{trip['order_id']}/cancel", headers=auth("outlet")),
                   409, detail="shipped")
    assert events(district) == before


def test_cancel_unknown_order_is_not_found(client: TestClient, district: Gongxiao,
                                           auth: Auth) -> None:
    assert_problem(client.post("/v1/orders/nope/cancel", headers=auth("admin")), 404)


def test_an_order_has_a_short_code_accepted_wherever_its_id_is(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    stocked(district, packs=3)
    placed = client.post("/v1/orders", json=order_body(2), headers=auth("outlet")).json()
    code = placed["order_code"]
    assert code == placed["order_id"].replace("-", "")[:8].upper()
    catch_up()
    listed = client.get("/v1/orders", headers=auth("operator")).json()
    assert [o["order_code"] for o in listed] == [code]
    by_code = client.get(f"/v1/orders/{code.lower()}", headers=auth("operator"))
    assert by_code.status_code == 200 and by_code.json() == placed
    reserved = placed["lines"][0]["reserved_pack_codes"]
    shipment = client.post("/v1/shipments", headers=auth("operator"), json={
        "order_id": code, "pack_codes": reserved[:1], "departed_at": "2026-11-06T05:00:00+08:00"})
    assert shipment.status_code == 201, shipment.text
    after = client.get(f"/v1/orders/{placed['order_id']}", headers=auth("operator")).json()
    assert after["shipment_ids"] == [shipment.json()["shipment_id"]]
    assert placed["pick_list"] == reserved and after["pick_list"] == reserved[1:]


def test_an_unknown_order_code_is_not_found_and_records_nothing(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=1)
    catch_up()
    before = events(district)
    problem = assert_problem(client.get("/v1/orders/3C0DDF12", headers=auth("operator")), 404)
    assert problem["order_id"] == "3C0DDF12" and problem["type"].endswith("/unknown-order")
    assert_problem(client.post("/v1/shipments", headers=auth("operator"), json={
        "order_id": "3c0ddf12", "pack_codes": codes, "departed_at": "2026-11-06T05:00:00+08:00"}), 404)
    assert events(district) == before


def test_an_order_picked_at_a_cold_store_names_one(client: TestClient, district: Gongxiao,
                                                   auth: Auth) -> None:
    codes = stocked(district, packs=2)
    before = events(district)
    assert_problem(client.post("/v1/orders", json=order_body(1) | {"site_id": "out-b"},
                               headers=auth("outlet")), 422)
    assert_problem(client.post("/v1/orders", json=order_body(1) | {"site_id": "nowhere"},
                               headers=auth("outlet")), 404)
    assert events(district) == before
    response = client.post("/v1/orders", json=order_body(1) | {"site_id": "yongan"},
                           headers=auth("outlet"))
    assert response.status_code == 201, response.text
    assert response.json()["lines"][0]["reserved_pack_codes"] == codes[:1]
