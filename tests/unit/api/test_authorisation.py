"""Every role × every endpoint, in and out of scope: 401 without a token, 403 outside the
token's role or scope, and through to the endpoint (whatever it then answers) inside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.conftest import GRANTS
from tests.unit.api.helpers import (
    intake_body,
    moment,
    order_body,
    packing_body,
    shipped,
    stocked,
    when,
)

PUBLIC = "public"
NO_TOKEN = "no token"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    allowed: frozenset[str] | str
    body: Callable[[dict[str, Any]], Any] | None = None

    def url(self, world: dict[str, Any]) -> str:
        return self.path.format(**world)


def _allow(*names: str) -> frozenset[str]:
    return frozenset({"admin", *names})


ENDPOINTS = [
    Endpoint("PUT", "/v1/farmers/zhang", _allow(), lambda w: {"name": "张德明", "village": "永安村"}),
    Endpoint("GET", "/v1/farmers/zhang/earnings", _allow("farmer")),
    Endpoint("POST", "/v1/farmers/zhang/payments", _allow(), lambda w: {
        "amount_fen": 100, "paid_at": moment(1), "method": "cash", "reference": "R1"}),
    Endpoint("PUT", "/v1/sites/yongan", _allow(), lambda w: {"name": "永安", "kind": "cold_store"}),
    Endpoint("PUT", "/v1/products/woshun", _allow(), lambda w: {
        "name": "莴笋", "kind": "produce", "unit": "kg", "shelf_life_days": 14}),
    Endpoint("PUT", "/v1/prices/woshun", _allow(), lambda w: {
        "effective_from": moment(0), "grades": {"A": 400}}),
    Endpoint("POST", "/v1/input-sales", _allow("shop"), lambda w: {
        "shop_id": "shop", "farmer_id": "zhang", "sold_at": moment(0), "payment": "cash",
        "lines": [{"sku": "fuhefei", "lot": "L", "quantity": 1, "unit_price_fen": 100}]}),
    Endpoint("POST", "/v1/input-sales/{sale_id}/correction", _allow("shop"), lambda w: {
        "shop_id": "shop", "lines": [{"quantity": 2, "unit_price_fen": 100}], "reason": "录错",
        "corrected_at": moment(1)}),
    Endpoint("POST", "/v1/farmers/zhang/payments/P-auth/correction", _allow(), lambda w: {
        "amount_fen": 90, "method": "cash", "reason": "录错", "corrected_at": moment(1)}),
    Endpoint("POST", "/v1/input-applications", _allow("shop", "shop-elsewhere", "farmer"),
             lambda w: {"farmer_id": "zhang", "sku": "fuhefei", "lot": "L",
                        "applied_at": moment(-5), "crop_sku": "jiuhuang"}),
    Endpoint("POST", "/v1/batches", _allow("operator"), lambda w: intake_body("B9")),
    Endpoint("GET", "/v1/batches/B1", _allow("operator")),
    Endpoint("POST", "/v1/batches/B2/grading", _allow("operator"), lambda w: {
        "graded_at": moment(0, 3), "grades": {"A": 60, "B": 30}, "reject_kg": 5}),
    Endpoint("POST", "/v1/batches/B3/release", _allow(), lambda w: {"reason": "x"}),
    Endpoint("POST", "/v1/batches/B2/destroy", _allow(), lambda w: {"reason": "x"}),
    Endpoint("POST", "/v1/temperature-readings", _allow("operator"), lambda w: {
        "site_id": "yongan", "room": "r1", "readings": [{"at": moment(0), "celsius": 3}]}),
    Endpoint("POST", "/v1/packing-runs", _allow("operator"), lambda w: packing_body(1)),
    Endpoint("GET", "/v1/catalog", _allow("operator", "operator-elsewhere", "outlet", "outlet-b")),
    Endpoint("POST", "/v1/orders", _allow("outlet"), lambda w: order_body(1)),
    Endpoint("GET", "/v1/orders?outlet_id=out-a", _allow("operator", "operator-elsewhere", "outlet")),
    Endpoint("GET", "/v1/orders", _allow("operator", "operator-elsewhere", "outlet", "outlet-b")),
    Endpoint("GET", "/v1/orders/{order_id}", _allow("operator", "outlet")),
    Endpoint("POST", "/v1/orders/{order_id}/cancel", _allow("outlet"), lambda w: {"reason": "x"}),
    Endpoint("POST", "/v1/shipments", _allow("operator"), lambda w: {
        "order_id": w["order_id"], "pack_codes": w["reserved"], "departed_at": moment(1)}),
    Endpoint("POST", "/v1/shipments/{shipment_id}/delivery", _allow("outlet"), lambda w: {
        "received_at": moment(1, 3), "pack_codes": w["shipped"]}),
    Endpoint("POST", "/v1/sales", _allow("outlet"), lambda w: {
        "outlet_id": "out-a", "pack_code": w["shipped"][0], "sold_at": moment(1, 5),
        "price_fen": 1680}),
    Endpoint("GET", "/v1/stock?site_id=yongan", _allow("operator")),
    Endpoint("GET", "/v1/stock", _allow("operator", "operator-elsewhere")),
    Endpoint("GET", "/v1/trace/{pack_code}", PUBLIC),
    Endpoint("GET", "/v1/recall?batch_code=B1", _allow()),
    Endpoint("GET", "/v1/events", _allow()),
    Endpoint("GET", "/healthz", PUBLIC),
    Endpoint("GET", "/metrics", PUBLIC),
]


@pytest.fixture
def world(district: Gongxiao, catch_up: Callable[[], Any]) -> dict[str, Any]:
    """At the Yong'an cold store a graded batch, one in storage and one on hold; an open order
    and a delivered shipment for out-a."""
    codes = stocked(district, packs=6)
    district.receive_batch(batch_code="B2", site_id="yongan", farmer_id="zhang", sku="jiuhuang",
                           harvested_at=when(0), net_kg="100", scanned_at=when(0, 2))
    district.record_input_application(farmer_id="wang", sku="bichonglin", lot="L",
                                      applied_at=when(-1), crop_sku="jiuhuang")
    district.receive_batch(batch_code="B3", site_id="yongan", farmer_id="wang", sku="jiuhuang",
                           harvested_at=when(0), net_kg="50", scanned_at=when(0, 2))
    trip = shipped(district, codes[:2])
    district.confirm_delivery(shipment_id=trip["shipment_id"], received_at=when(1, 3),
                              pack_codes=trip["pack_codes"])
    order = district.place_order(outlet_id="out-a", key="open", lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 2}])
    sale = district.record_input_sale(shop_id="shop", farmer_id="zhang", sold_at=when(0),
                                      payment="cash", key="auth-sale", lines=[
                                          {"sku": "bichonglin", "lot": "L", "quantity": "1",
                                           "unit_price_fen": 100}])
    district.pay_farmer(farmer_id="zhang", amount_fen=100, paid_at=when(0), method="cash",
                        reference="P-auth")
    catch_up()
    return {"sale_id": sale["sale_id"], "order_id": order["order_id"],
            "reserved": order["lines"][0]["reserved_pack_codes"],
            "shipment_id": trip["shipment_id"], "shipped": trip["pack_codes"],
            "pack_code": codes[0]}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_every_role_in_and_out_of_scope(endpoint: Endpoint, client: TestClient,
                                        world: dict[str, Any], tokens: dict[str, str]) -> None:
    def send(who: str) -> int:
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who != NO_TOKEN else {}
        body = endpoint.body(world) if endpoint.body else None
        return client.request(endpoint.method, endpoint.url(world), json=body,
                              headers=headers).status_code

    # Refusals first: an allowed request may change what the others would find.
    refused = [] if endpoint.allowed == PUBLIC else sorted(set(GRANTS) - set(endpoint.allowed))
    outcomes = {who: send(who) for who in [*refused, NO_TOKEN]}
    outcomes |= {who: send(who) for who in sorted(set(GRANTS) - set(refused))}
    expected = {who: 403 for who in refused}
    if endpoint.allowed != PUBLIC:
        expected[NO_TOKEN] = 401
    assert {who: outcomes[who] for who in expected} == expected
    allowed = {who: status for who, status in outcomes.items() if who not in expected}
    assert all(s not in (401, 403) and s < 500 for s in allowed.values()), allowed
    assert any(200 <= s < 300 for s in allowed.values()), allowed
