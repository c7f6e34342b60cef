"""POST /v1/shipments, POST /v1/shipments/{id}/delivery and POST /v1/sales."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.helpers import (
    assert_problem,
    events,
    moment,
    order_body,
    shipped,
    stocked,
    when,
)

Auth = Callable[[str], dict[str, str]]


def test_ship_reserved_packs_answers_the_shipment(client: TestClient, district: Gongxiao,
                                                  auth: Auth) -> None:
    stocked(district, packs=3)
    order = client.post("/v1/orders", json=order_body(2), headers=auth("outlet")).json()
    body = {"order_id": order["order_id"], "departed_at": moment(1),
            "pack_codes": order["lines"][0]["reserved_pack_codes"], "vehicle": "川A·冷001"}
    response = client.post("/v1/shipments", json=body, headers=auth("operator"))
    assert response.status_code == 201, response.text
    assert response.json() == {"shipment_id": response.json()["shipment_id"], "certificates": [
        {"batch_code": "B1", "issued_at": moment(1), "shipment_id": response.json()["shipment_id"]}]}
    listed = client.get(f"/v1/orders/{order['order_id']}", headers=auth("outlet")).json()
    assert listed["status"] == "shipped"


def test_ship_a_pack_not_reserved_for_the_order_is_a_conflict(client: TestClient,
                                                              district: Gongxiao,
                                                              auth: Auth) -> None:
    codes = stocked(district, packs=3)
    order = client.post("/v1/orders", json=order_body(1), headers=auth("outlet")).json()
    before = events(district)
    body = {"order_id": order["order_id"], "departed_at": moment(1), "pack_codes": [codes[2]]}
    assert_problem(client.post("/v1/shipments", json=body, headers=auth("operator")), 409,
                   detail=f"pack {codes[2]} is not reserved")
    assert events(district) == before


def test_ship_for_unknown_order_is_not_found(client: TestClient, district: Gongxiao,
                                             auth: Auth) -> None:
    body = {"order_id": "nope", "departed_at": moment(1), "pack_codes": ["X-0001"]}
    assert_problem(client.post("/v1/shipments", json=body, headers=auth("operator")), 404)
    assert_problem(client.post("/v1/shipments", json=body | {"pack_codes": []},
                               headers=auth("admin")), 422, field="pack_codes")


def test_confirm_delivery_records_missing_and_unexpected(client: TestClient, district: Gongxiao,
                                                         auth: Auth) -> None:
    stocked(district, packs=3)
    trip = shipped(district, ["a", "b", "c"])
    arrived = [*trip["pack_codes"][:2], "STRAY-0001"]
    response = client.post(f"/v1/shipments/{trip['shipment_id']}/delivery", headers=auth("outlet"),
                           json={"received_at": moment(1, 3), "pack_codes": arrived})
    assert response.status_code == 201, response.text
    assert response.json() == {"shipment_id": trip["shipment_id"],
                               "received": trip["pack_codes"][:2],
                               "missing": trip["pack_codes"][2:], "unexpected": ["STRAY-0001"],
                               "refused": []}


def test_confirm_delivery_refusals(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    stocked(district, packs=1)
    trip = shipped(district, ["a"])
    before = events(district)
    assert_problem(client.post("/v1/shipments/nope/delivery", headers=auth("admin"),
                               json={"received_at": moment(1, 3), "pack_codes": []}), 404)
    assert_problem(client.post(f"/v1/shipments/{trip['shipment_id']}/delivery",
                               headers=auth("outlet"),
                               json={"received_at": moment(0), "pack_codes": []}), 409,
                   detail="before the shipment departed")
    assert events(district) == before


def test_sell_pack_at_the_outlet(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    stocked(district, packs=1)
    trip = shipped(district, ["a"])
    district.confirm_delivery(shipment_id=trip["shipment_id"], received_at=when(1, 3),
                              pack_codes=trip["pack_codes"])
    body = {"outlet_id": "out-a", "pack_code": trip["pack_codes"][0], "sold_at": moment(1, 5),
            "price_fen": 1680}
    response = client.post("/v1/sales", json=body, headers=auth("outlet"))
    assert response.status_code == 201, response.text
    assert response.json()["price_fen"] == 1680
    before = events(district)
    assert_problem(client.post("/v1/sales", json=body | {"price_fen": 1500},
                               headers=auth("outlet")), 409, detail="already sold")
    assert events(district) == before


def test_sell_pack_not_at_the_outlet_is_a_conflict(client: TestClient, district: Gongxiao,
                                                   auth: Auth) -> None:
    codes = stocked(district, packs=1)
    before = events(district)
    body = {"outlet_id": "out-a", "pack_code": codes[0], "sold_at": moment(1, 5), "price_fen": 1}
    assert_problem(client.post("/v1/sales", json=body, headers=auth("outlet")), 409,
                   detail="not on the shelf")
    assert_problem(client.post("/v1/sales", json=body | {"price_fen": -1},
                               headers=auth("outlet")), 422, field="price_fen")
    assert events(district) == before

