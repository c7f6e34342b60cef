"""GET /v1/stock, /v1/catalog, /v1/trace/{code}, /v1/recall, /v1/farmers/{id}/earnings and
/v1/events: the read models (caught up before each read) and the event log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.helpers import assert_problem, moment, shipped, stocked, when

Auth = Callable[[str], dict[str, str]]
CatchUp = Callable[[], Any]


def test_get_stock_answers_levels_per_site_product_and_grade(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: CatchUp) -> None:
    stocked(district, packs=4)
    shipped(district, ["a"])
    catch_up()
    response = client.get("/v1/stock", params={"grade": "A"}, headers=auth("admin"))
    assert response.status_code == 200
    [level] = response.json()
    assert (level["site_id"], level["sku"], level["grade"]) == ("yongan", "jiuhuang", "A")
    assert level["graded_kg_unpacked"] == 58
    assert (level["packs_available"], level["packs_reserved"], level["packs_in_transit"],
            level["packs_at_outlets"]) == (3, 0, 1, 0)
    assert level["nearest_expiry"] == when(7).isoformat()


def test_get_stock_for_an_operator_is_its_own_site(client: TestClient, district: Gongxiao,
                                                   auth: Auth, catch_up: CatchUp) -> None:
    stocked(district, packs=1)
    catch_up()
    assert len(client.get("/v1/stock", headers=auth("operator")).json()) == 2
    assert client.get("/v1/stock", headers=auth("operator-elsewhere")).json() == []


def test_get_stock_and_trace_show_a_pack_an_outlet_found_in_a_delivery_that_did_not_carry_it(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: CatchUp) -> None:
    codes = stocked(district, packs=3)
    trip = shipped(district, ["a"])
    stray = next(c for c in codes if c not in trip["pack_codes"])
    delivered = client.post(f"/v1/shipments/{trip['shipment_id']}/delivery",
                            headers=auth("outlet"), json={
                                "received_at": moment(1, 3),
                                "pack_codes": [*trip["pack_codes"], stray, "STRAY-0001"]})
    assert delivered.json()["unexpected"] == [stray, "STRAY-0001"]
    catch_up()
    [level] = client.get("/v1/stock", params={"grade": "A"}, headers=auth("admin")).json()
    assert level["unexpected_at_outlets"] == {"out-a": 1}
    assert (level["packs_available"], level["packs_at_outlets"]) == (2, 1), "recorded, not moved"
    trace = client.get(f"/v1/trace/{stray}").json()
    assert trace["unexpected_at"] == [{"site_id": "out-a", "name": "金牛直营店",
                                       "delivered_at": when(1, 3).isoformat()}]
    assert trace["status"] == "in_stock"
    assert "unexpected_at" not in client.get(f"/v1/trace/{trip['pack_codes'][0]}").json()
    assert_problem(client.get("/v1/trace/STRAY-0001"), 404)


def test_get_catalog_lists_packs_an_outlet_can_order(client: TestClient, district: Gongxiao,
                                                     auth: Auth, catch_up: CatchUp) -> None:
    stocked(district, packs=4)
    catch_up()
    response = client.get("/v1/catalog", headers=auth("outlet"))
    assert response.status_code == 200
    assert response.json() == [{"sku": "jiuhuang", "name": "韭黄", "grade": "A", "pack_kg": 0.5,
                                "packs_available": 4, "nearest_expiry": when(7).isoformat()}]


def test_get_trace_of_a_pack_is_public_masked_and_cacheable(
        client: TestClient, district: Gongxiao, catch_up: CatchUp) -> None:
    codes = stocked(district, packs=1)
    catch_up()
    response = client.get(f"/v1/trace/{codes[0]}")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["kind"], body["grade"], body["pack_kg"]) == (codes[0], "pack", "A",
                                                                             0.5)
    [source] = body["sources"]
    assert source["farmer"] == {"display_name": "张**", "village": "永安村"}
    assert "13800000001" not in response.text and "_fen" not in response.text
    assert response.headers["cache-control"].startswith("public")
    etag = response.headers["etag"]
    again = client.get(f"/v1/trace/{codes[0]}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag and again.content == b""


def test_get_trace_changes_its_etag_when_the_pack_moves(client: TestClient, district: Gongxiao,
                                                        catch_up: CatchUp) -> None:
    codes = stocked(district, packs=1)
    catch_up()
    etag = client.get(f"/v1/trace/{codes[0]}").headers["etag"]
    shipped(district, codes)
    catch_up()
    response = client.get(f"/v1/trace/{codes[0]}", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["etag"] != etag


def test_get_trace_of_a_batch_and_of_an_unknown_code(client: TestClient, district: Gongxiao,
                                                     catch_up: CatchUp) -> None:
    stocked(district, packs=1)
    catch_up()
    assert client.get("/v1/trace/B1").json()["kind"] == "batch"
    assert_problem(client.get("/v1/trace/NOPE-0001"), 404, detail="NOPE-0001")


def test_get_recall_follows_an_input_lot_to_packs(client: TestClient, district: Gongxiao,
                                                  auth: Auth, catch_up: CatchUp) -> None:
    district.record_input_application(farmer_id="zhang", sku="bichonglin", lot="LOT-X",
                                      applied_at=when(-20), crop_sku="jiuhuang")
    codes = stocked(district, packs=2)
    sent = shipped(district, ["a"])
    catch_up()
    response = client.get("/v1/recall", params={"input_lot": "LOT-X"}, headers=auth("admin"))
    assert response.status_code == 200
    body = response.json()
    assert [b["batch_code"] for b in body["batches"]] == ["B1"]
    assert sorted(p["pack_code"] for p in body["packs"]) == codes
    assert [(f["farmer_id"], f["applied"]) for f in body["farmers"]] == [("zhang", True)]
    assert [(s["shipment_id"], s["packs"]) for s in body["shipments"]] == [(sent["shipment_id"], 1)]
    by_batch = client.get("/v1/recall", params={"batch_code": "B1"}, headers=auth("admin")).json()
    assert sorted(p["pack_code"] for p in by_batch["packs"]) == codes


def test_get_recall_needs_exactly_one_of_lot_or_batch(client: TestClient, district: Gongxiao,
                                                      auth: Auth) -> None:
    assert_problem(client.get("/v1/recall", headers=auth("admin")), 422, field="input_lot")
    assert_problem(client.get("/v1/recall", params={"input_lot": "L", "batch_code": "B"},
                              headers=auth("admin")), 422, field="input_lot")


def test_get_earnings_answers_the_statement(client: TestClient, district: Gongxiao, auth: Auth,
                                            catch_up: CatchUp) -> None:
    stocked(district, packs=1)
    district.pay_farmer(farmer_id="zhang", amount_fen=10000, paid_at=when(1), method="cash",
                        reference="P1")
    catch_up()
    response = client.get("/v1/farmers/zhang/earnings", headers=auth("farmer"))
    assert response.status_code == 200
    body = response.json()
    assert (body["delivered_kg"], body["graded_kg"], body["earned_fen"], body["paid_fen"],
            body["balance_fen"]) == (100, 90, 96000, 10000, 86000)
    assert [line["kind"] for line in body["lines"]] == ["grading", "grading", "payment"]
    later = client.get("/v1/farmers/zhang/earnings", params={"from": moment(0, 12)},
                       headers=auth("farmer")).json()
    assert [line["kind"] for line in later["lines"]] == ["payment"]


def test_get_earnings_refusals(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    assert_problem(client.get("/v1/farmers/nobody/earnings", headers=auth("admin")), 404)
    assert_problem(client.get("/v1/farmers/zhang/earnings", params={"from": "yesterday"},
                              headers=auth("admin")), 422, field="from")


def test_get_events_pages_the_log_in_order(client: TestClient, district: Gongxiao,
                                           auth: Auth) -> None:
    stocked(district, packs=1)
    first = client.get("/v1/events", params={"limit": 5}, headers=auth("admin")).json()
    assert [e["notification_id"] for e in first] == [1, 2, 3, 4, 5]
    assert first[0]["event_type"] == "Site.Registered"
    assert first[0]["data"]["site_id"] == "yongan"
    rest = client.get("/v1/events", params={"after": 5, "limit": 1000},
                      headers=auth("admin")).json()
    received = next(e for e in rest if e["event_type"] == "Batch.Received")
    assert received["aggregate_type"] == "Batch" and received["version"] == 1
    assert received["data"]["net_kg"] == 100
    assert received["data"]["harvested_at"] == when(0).isoformat()
    assert rest[-1]["notification_id"] == district.recorder.max_notification_id()
    assert_problem(client.get("/v1/events", params={"limit": 0}, headers=auth("admin")), 422,
                   field="limit")
