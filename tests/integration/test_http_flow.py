"""The demo's flow driven over HTTP end to end on PostgreSQL, every caller with its own token:
master data, an input sale and spray, intake (one batch on hold), grading, release, cold-room
readings, packing, an order, its shipment and delivery, a sale, the public trace, the farmer's
earnings and a payment. The projections run in the server process, as under ``gongxiao serve``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from infra.views import build_views

pytestmark = pytest.mark.postgres
DAY0 = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=3)


SHANGHAI = ZoneInfo("Asia/Shanghai")


def t(day: float, hour: float = 0) -> str:
    """Times the way a till in Tangchang sends them: local, with the +08:00 offset."""
    return (DAY0 + timedelta(days=day, hours=hour)).astimezone(SHANGHAI).isoformat()


@pytest.fixture
def server(pg_env: dict[str, str], postgres_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=postgres_url, kafka_bootstrap=None, var_dir=tmp_path)
    app = StoredGongxiao(env=pg_env)
    views = build_views(settings, schema=pg_env["POSTGRES_SCHEMA"])
    with TestClient(create_app(app, settings=settings, views=views), raise_server_exceptions=False
                    ) as client:
        yield client
    views.close()
    app.close()


class Caller:
    def __init__(self, client: TestClient, role: str, scope: str | None = None) -> None:
        state = client.app.state  # type: ignore[attr-defined]
        self.client, self.state = client, state
        token = Tokens(state.gongxiao.recorder).issue(role=role, scope=scope)
        self.headers = {"Authorization": f"Bearer {token}"}

    def send(self, method: str, url: str, status: int, body: Any = None, key: str | None = None,
             **params: Any) -> Any:
        headers = self.headers | ({"Idempotency-Key": key} if key else {})
        response = self.client.request(method, url, json=body, params=params or None,
                                       headers=headers)
        assert response.status_code == status, f"{method} {url}: {response.text}"
        return response.json()

    def read(self, url: str, **params: Any) -> Any:
        assert self.state.projections.catch_up(timeout=20)
        return self.send("GET", url, 200, **params)


def test_the_demo_flow_over_http_on_postgresql(server: TestClient) -> None:
    staff = Caller(server, "admin")
    operator, shop = Caller(server, "operator", "yongan"), Caller(server, "shop", "shop-tangchang")
    outlet, zhang = Caller(server, "outlet", "outlet-jinniu"), Caller(server, "farmer", "f-zhang")
    wang = Caller(server, "farmer", "f-wang")

    for site, name, kind in [("yongan", "永安村冷库（唐昌镇）", "cold_store"),
                             ("shop-tangchang", "唐昌农资经营网点", "input_shop"),
                             ("outlet-jinniu", "金牛区农产品直营店", "outlet")]:
        staff.send("PUT", f"/v1/sites/{site}", 200, {"name": name, "kind": kind})
    staff.send("PUT", "/v1/farmers/f-zhang", 200, {"name": "张德明", "village": "永安村",
                                                   "phone": "13800000001"})
    staff.send("PUT", "/v1/farmers/f-wang", 200, {"name": "王建国", "village": "金星村"})
    staff.send("PUT", "/v1/products/jiuhuang", 200, {"name": "韭黄", "kind": "produce", "unit": "kg",
                                                     "shelf_life_days": 7, "temp_min_c": 0,
                                                     "temp_max_c": 4})
    staff.send("PUT", "/v1/products/bichonglin", 200, {
        "name": "吡虫啉 10%可湿性粉剂", "kind": "input", "unit": "bottle", "input_class": "pesticide",
        "active_ingredient": "吡虫啉", "registration_no": "PD20040001", "phi_days": 7})
    staff.send("PUT", "/v1/prices/jiuhuang", 200, {"effective_from": t(-30),
                                                   "grades": {"A": 1200, "B": 800}})

    # Inputs: Wang buys a pesticide on credit and sprays his chives two days before harvest.
    sale = shop.send("POST", "/v1/input-sales", 201, {
        "shop_id": "shop-tangchang", "farmer_id": "f-wang", "sold_at": t(-3, 9), "payment": "credit",
        "lines": [{"sku": "bichonglin", "lot": "LOT-BCL-0921", "quantity": 1,
                   "unit_price_fen": 2800}]}, key="sale-1")
    assert sale["total_fen"] == 2800
    wang.send("POST", "/v1/input-applications", 201, {
        "farmer_id": "f-wang", "sku": "bichonglin", "lot": "LOT-BCL-0921", "applied_at": t(-2, 8),
        "crop_sku": "jiuhuang"})

    # Intake: Zhang's batch goes into storage, Wang's is held for the pre-harvest interval.
    def intake(code: str, farmer: str, net_kg: float) -> dict[str, Any]:
        return {"batch_code": code, "site_id": "yongan", "farmer_id": farmer, "sku": "jiuhuang",
                "harvested_at": t(0, 6), "net_kg": net_kg, "crates": 12, "temperature_c": 3.5,
                "scanned_at": t(0, 9)}

    assert operator.send("POST", "/v1/batches", 201, intake("YA-001", "f-zhang", 120.5),
                         key="scan-001")["status"] == "in_storage"
    held = operator.send("POST", "/v1/batches", 201, intake("YA-002", "f-wang", 88), key="scan-002")
    assert held["status"] == "on_hold" and "LOT-BCL-0921" in held["holds"][0]["detail"]
    replay = operator.send("POST", "/v1/batches", 201, intake("YA-001", "f-zhang", 120.5),
                           key="scan-001")
    assert replay["status"] == "in_storage"
    grades = {"graded_at": t(0, 14), "grades": {"A": 80, "B": 30}, "reject_kg": 6}
    log_head = staff.send("GET", "/v1/events", 200, limit=1000)[-1]["notification_id"]
    operator.send("POST", "/v1/batches/YA-002/grading", 409, grades)
    assert staff.send("GET", "/v1/events", 200, after=log_head) == []
    staff.send("POST", "/v1/batches/YA-002/release", 200, {"reason": "复检合格（检测报告 2026-118）"})
    graded = operator.send("POST", "/v1/batches/YA-001/grading", 201, grades, key="grade-001")
    assert graded["earned_total_fen"] == 80 * 1200 + 30 * 800
    operator.send("POST", "/v1/batches/YA-002/grading", 201,
                  {"graded_at": t(0, 15), "grades": {"A": 55, "B": 25}, "reject_kg": 5})
    readings = operator.send("POST", "/v1/temperature-readings", 201, {
        "site_id": "yongan", "room": "冷藏1号",
        "readings": [{"at": t(0, h), "celsius": 2.5} for h in (10, 12)] + [
            {"at": t(0, 16), "celsius": 7.8}]})
    assert readings["accepted"] == 3 and len(readings["excursions"]) == 1

    # Packing, an outlet's order, the truck, the delivery (one pack short) and a sale.
    run = operator.send("POST", "/v1/packing-runs", 201, {
        "site_id": "yongan", "sku": "jiuhuang", "grade": "A", "pack_kg": 0.5, "count": 20,
        "packed_at": t(1, 8)}, key="run-1")
    assert len(run["packs"]) == 20
    catalog = outlet.read("/v1/catalog")
    assert [(c["sku"], c["grade"], c["packs_available"]) for c in catalog] == [("jiuhuang", "A", 20)]
    order = outlet.send("POST", "/v1/orders", 201, {"outlet_id": "outlet-jinniu", "lines": [
        {"sku": "jiuhuang", "grade": "A", "pack_kg": 0.5, "packs": 10}]}, key="order-1")
    assert [o["order_code"] for o in operator.read("/v1/orders")] == [order["order_code"]]
    picks = operator.send("GET", f"/v1/orders/{order['order_code'].lower()}", 200)["pick_list"]
    assert [f["initials"] for f in operator.read("/v1/farmers")] == ["wjg", "zdm"]
    shipment = operator.send("POST", "/v1/shipments", 201, {
        "order_id": order["order_code"], "pack_codes": picks, "departed_at": t(2, 5),
        "vehicle": "川A·冷001"}, key="ship-1")
    delivered = outlet.send("POST", f"/v1/shipments/{shipment['shipment_id']}/delivery", 201,
                            {"received_at": t(2, 8), "pack_codes": picks[:-1]})
    assert delivered["missing"] == picks[-1:]
    outlet.send("POST", "/v1/sales", 201, {"outlet_id": "outlet-jinniu", "pack_code": picks[0],
                                           "sold_at": t(2, 10), "price_fen": 1680})
    assert [o["status"] for o in outlet.read("/v1/orders")] == ["shipped"]
    levels = operator.read("/v1/stock", grade="A")
    assert (levels[0]["packs_available"], levels[0]["packs_at_outlets"]) == (10, 8)

    # The buyer's phone scans the sold pack: where it came from, no name, no money.
    trace = server.get(f"/v1/trace/{picks[0]}")
    assert trace.status_code == 200
    body = trace.json()
    assert body["status"] == "sold" and body["kind"] == "pack"
    assert {s["farmer"]["display_name"] for s in body["sources"]} <= {"张**", "王**"}
    assert "13800000001" not in trace.text
    assert server.get(f"/v1/trace/{picks[0]}",
                      headers={"If-None-Match": trace.headers["etag"]}).status_code == 304

    # Money: Zhang's earnings, a payment, the balance after it.
    earnings = zhang.read("/v1/farmers/f-zhang/earnings")
    assert (earnings["delivered_kg"], earnings["earned_fen"]) == (120.5, 120000)
    staff.send("POST", "/v1/farmers/f-zhang/payments", 201, {
        "amount_fen": 50000, "paid_at": t(2, 15), "method": "bank_transfer",
        "reference": "PAY-f-zhang-1"}, key="pay-1")
    after = zhang.read("/v1/farmers/f-zhang/earnings")
    assert (after["paid_fen"], after["balance_fen"]) == (50000, 70000)
    wang_owes = wang.read("/v1/farmers/f-wang/earnings")
    assert wang_owes["input_credit_fen"] == 2800
    zhang.send("GET", "/v1/farmers/f-wang/earnings", 403)
    recall = staff.read("/v1/recall", input_lot="LOT-BCL-0921")
    assert [b["batch_code"] for b in recall["batches"]] == ["YA-002"]
