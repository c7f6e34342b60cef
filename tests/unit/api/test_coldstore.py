"""POST /v1/temperature-readings and /v1/packing-runs."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from domain.application import Gongxiao
from domain.stock import Stock
from tests.unit.api.helpers import assert_problem, events, moment, packing_body, stocked, when

Auth = Callable[[str], dict[str, str]]


def test_log_temperatures_answers_accepted_and_excursions(client: TestClient, district: Gongxiao,
                                                          auth: Auth) -> None:
    body = {"site_id": "yongan", "room": "冷藏1号", "readings": [
        {"at": moment(0, 1), "celsius": 2.5}, {"at": moment(0, 2), "celsius": 7.8}]}
    response = client.post("/v1/temperature-readings", json=body, headers=auth("operator"))
    assert response.status_code == 201, response.text
    assert response.json() == {"accepted": 2, "excursions": [
        {"at": when(0, 2).isoformat(), "celsius": 7.8, "skus": ["jiuhuang"]}]}


def test_log_temperatures_refusals_record_nothing(client: TestClient, district: Gongxiao,
                                                  auth: Auth) -> None:
    before = events(district)
    reading = [{"at": moment(0), "celsius": 3}]
    assert_problem(client.post("/v1/temperature-readings", headers=auth("admin"), json={
        "site_id": "yongan", "room": "r", "readings": []}), 422, field="readings")
    assert_problem(client.post("/v1/temperature-readings", headers=auth("admin"), json={
        "site_id": "nowhere", "room": "r", "readings": reading}), 404)
    assert_problem(client.post("/v1/temperature-readings", headers=auth("admin"), json={
        "site_id": "out-a", "room": "r", "readings": reading}), 422, detail="not a cold_store")
    assert_problem(client.post("/v1/temperature-readings", headers=auth("admin"), json={
        "site_id": "yongan", "room": "r", "readings": [{"at": moment(0), "celsius": 300}]}),
        422, field="readings[0].celsius")
    assert events(district) == before


def test_run_packing_fefo_answers_codes_and_trace_urls(client: TestClient, district: Gongxiao,
                                                       auth: Auth) -> None:
    stocked(district, packs=1)
    response = client.post("/v1/packing-runs", json=packing_body(3), headers=auth("operator"))
    assert response.status_code == 201, response.text
    packs = response.json()["packs"]
    assert len(packs) == 3
    assert packs[0]["trace_url"] == f"http://testserver/t/{packs[0]['pack_code']}"


def test_run_packing_from_named_batches(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    stocked(district, packs=1)
    body = packing_body(2, pack_kg=1.25) | {"sources": [{"batch_code": "B1", "kg": 2.5}]}
    response = client.post("/v1/packing-runs", json=body, headers=auth("operator"))
    assert response.status_code == 201, response.text


def test_run_packing_short_of_stock_is_a_conflict(client: TestClient, district: Gongxiao,
                                                  auth: Auth) -> None:
    stocked(district, packs=1)
    before = events(district)
    problem = assert_problem(client.post("/v1/packing-runs", json=packing_body(200, pack_kg=0.5),
                                         headers=auth("operator")), 409, detail="59.5")
    assert problem["available_kg"] == "59.500"
    assert events(district) == before


def test_run_packing_from_a_batch_on_hold_is_a_conflict(client: TestClient, district: Gongxiao,
                                                        auth: Auth) -> None:
    stocked(district, packs=1)
    district.record_input_application(farmer_id="wang", sku="bichonglin", lot="L9",
                                      applied_at=when(-1), crop_sku="jiuhuang")
    district.receive_batch(batch_code="B2", site_id="yongan", farmer_id="wang", sku="jiuhuang",
                           harvested_at=when(0), net_kg="50", scanned_at=when(0, 2))
    before = events(district)
    body = packing_body(2) | {"sources": [{"batch_code": "B2", "kg": 1}]}
    assert_problem(client.post("/v1/packing-runs", json=body, headers=auth("operator")), 409,
                   detail="on hold")
    assert events(district) == before


def test_run_packing_with_sources_not_adding_up_is_refused(client: TestClient, district: Gongxiao,
                                                           auth: Auth) -> None:
    stocked(district, packs=1)
    before = events(district)
    body = packing_body(2) | {"sources": [{"batch_code": "B1", "kg": 3}]}
    assert_problem(client.post("/v1/packing-runs", json=body, headers=auth("operator")), 422,
                   field="sources")
    assert_problem(client.post("/v1/packing-runs", json=packing_body(2, pack_kg=0),
                               headers=auth("operator")), 422, field="pack_kg")
    assert events(district) == before


def test_a_run_mixed_on_the_line_is_named_so_and_nothing_else_is_taken_for_it(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    stocked(district, packs=1)
    before = events(district)
    assert_problem(client.post("/v1/packing-runs", json=packing_body(2) | {"mixed": "often"},
                               headers=auth("operator")), 422, field="mixed")
    assert events(district) == before
    for mixed in (True, False):
        response = client.post("/v1/packing-runs", json=packing_body(2) | {"mixed": mixed},
                               headers=auth("operator"))
        assert response.status_code == 201, response.text
        *_, packed = district.events.get(Stock.create_id("jiuhuang", "A", "yongan"))
        assert packed.mixed is mixed  # type: ignore[attr-defined]
