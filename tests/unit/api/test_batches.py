"""POST /v1/batches, GET /v1/batches/{code}, grading, release and destroy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.helpers import assert_problem, events, grading_body, intake_body, when

Auth = Callable[[str], dict[str, str]]


def test_receive_batch_answers_in_storage(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    response = client.post("/v1/batches", json=intake_body("B1", net_kg=120.125),
                           headers=auth("operator"))
    assert response.status_code == 201, response.text
    assert response.json() == {"batch_code": "B1", "status": "in_storage", "holds": []}
    assert district.batch("B1").net_kg == district.batch("B1").net_kg.__class__("120.125")


def test_receive_batch_inside_pre_harvest_interval_is_on_hold(client: TestClient,
                                                              district: Gongxiao,
                                                              auth: Auth) -> None:
    district.record_input_application(farmer_id="zhang", sku="bichonglin", lot="L1",
                                      applied_at=when(-2), crop_sku="jiuhuang")
    response = client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "on_hold"
    assert body["holds"][0]["reason"] == "pre_harvest_interval"
    assert "L1" in body["holds"][0]["detail"]


def test_receive_batch_with_unknown_farmer_is_refused_and_records_nothing(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    before = events(district)
    response = client.post("/v1/batches", json=intake_body("B1", farmer="nobody"),
                           headers=auth("operator"))
    assert_problem(response, 404, detail="nobody")
    assert events(district) == before


def test_receive_batch_with_more_than_three_decimals_is_refused(client: TestClient,
                                                                district: Gongxiao,
                                                                auth: Auth) -> None:
    before = events(district)
    response = client.post("/v1/batches", json=intake_body("B1", net_kg=100.0001),
                           headers=auth("operator"))
    assert_problem(response, 422, field="net_kg")
    assert events(district) == before


def test_receive_batch_with_a_naive_time_is_refused(client: TestClient, district: Gongxiao,
                                                    auth: Auth) -> None:
    body = intake_body("B1") | {"harvested_at": "2026-11-02T06:00:00"}
    before = events(district)
    problem = assert_problem(client.post("/v1/batches", json=body, headers=auth("operator")),
                             422, field="harvested_at")
    assert "offset" in problem["errors"][0]["message"]
    assert events(district) == before


def test_receive_batch_under_a_used_code_for_another_harvest_is_a_conflict(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    before = events(district)
    response = client.post("/v1/batches", json=intake_body("B1", net_kg=99),
                           headers=auth("operator"))
    assert_problem(response, 409, detail="already scanned in")
    assert events(district) == before


def test_get_batch_answers_status_holds_remaining_and_history(client: TestClient,
                                                             district: Gongxiao,
                                                             auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    client.post("/v1/batches/B1/grading", json=grading_body(), headers=auth("operator"))
    response = client.get("/v1/batches/B1", headers=auth("operator"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "graded"
    assert body["graded_kg_remaining"] == {"A": 60, "B": 30}
    assert [h["event"] for h in body["history"]] == ["Received", "Graded"]


def test_get_batch_unknown_is_not_found(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    assert_problem(client.get("/v1/batches/NOPE", headers=auth("admin")), 404)


def test_grade_batch_answers_earnings(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    response = client.post("/v1/batches/B1/grading", json=grading_body(a=60.5),
                           headers=auth("operator"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["grades_kg"] == {"A": 60.5, "B": 30}
    assert body["earned_fen"] == {"A": 72600, "B": 24000}
    assert body["earned_total_fen"] == 96600


def test_grade_batch_beyond_intake_is_refused_and_records_nothing(client: TestClient,
                                                                  district: Gongxiao,
                                                                  auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    before = events(district)
    response = client.post("/v1/batches/B1/grading", json=grading_body(a=70, b=30, reject=1),
                           headers=auth("operator"))
    problem = assert_problem(response, 422, detail="more than the 100.000 kg")
    assert problem["intake_kg"] == "100.000"
    assert events(district) == before


def test_grade_batch_twice_differently_is_a_conflict(client: TestClient, district: Gongxiao,
                                                    auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    client.post("/v1/batches/B1/grading", json=grading_body(), headers=auth("operator"))
    before = events(district)
    response = client.post("/v1/batches/B1/grading", json=grading_body(a=50),
                           headers=auth("operator"))
    assert_problem(response, 409, detail="was graded")
    assert events(district) == before


def test_grade_batch_on_hold_is_a_conflict(client: TestClient, district: Gongxiao,
                                           auth: Auth) -> None:
    district.record_input_application(farmer_id="zhang", sku="bichonglin", lot="L1",
                                      applied_at=when(-2), crop_sku="jiuhuang")
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    before = events(district)
    response = client.post("/v1/batches/B1/grading", json=grading_body(), headers=auth("operator"))
    assert_problem(response, 409, detail="on hold")
    assert response.json()["type"].endswith("/batch-on-hold") and response.json()["batch_code"] == "B1"
    assert [h["reason"] for h in response.json()["holds"]] == ["pre_harvest_interval"]
    assert events(district) == before


def test_release_batch_lets_it_be_graded(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    district.record_input_application(farmer_id="zhang", sku="bichonglin", lot="L1",
                                      applied_at=when(-2), crop_sku="jiuhuang")
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    response = client.post("/v1/batches/B1/release", json={"reason": "残留检测合格"},
                           headers=auth("admin"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "in_storage"
    graded = client.post("/v1/batches/B1/grading", json=grading_body(), headers=auth("operator"))
    assert graded.status_code == 201


def test_release_batch_not_on_hold_is_a_conflict(client: TestClient, district: Gongxiao,
                                                 auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    before = events(district)
    assert_problem(client.post("/v1/batches/B1/release", json={"reason": "x"},
                               headers=auth("admin")), 409, detail="not on hold")
    assert events(district) == before


def test_release_batch_without_a_reason_is_refused(client: TestClient, district: Gongxiao,
                                                   auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    assert_problem(client.post("/v1/batches/B1/release", json={"reason": "  "},
                               headers=auth("admin")), 422, field="reason")


def test_destroy_batch_answers_destroyed(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    response = client.post("/v1/batches/B1/destroy", json={"reason": "霉变"}, headers=auth("admin"))
    assert response.status_code == 200
    assert response.json()["status"] == "destroyed"


def test_destroy_graded_batch_is_a_conflict(client: TestClient, district: Gongxiao,
                                            auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    client.post("/v1/batches/B1/grading", json=grading_body(), headers=auth("operator"))
    before = events(district)
    assert_problem(client.post("/v1/batches/B1/destroy", json={"reason": "x"},
                               headers=auth("admin")), 409, detail="already graded")
    assert events(district) == before


def test_destroy_unknown_batch_is_not_found(client: TestClient, district: Gongxiao,
                                            auth: Auth) -> None:
    assert_problem(client.post("/v1/batches/NOPE/destroy", json={"reason": "x"},
                               headers=auth("admin")), 404)




def test_a_wrong_intake_weight_is_corrected_and_grading_follows(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    client.post("/v1/batches", json=intake_body("C1", net_kg=50), headers=auth("operator"))
    assert_problem(client.post("/v1/batches/C1/grading", json=grading_body(), headers=auth("operator")),
                   422, detail="50.000 kg taken in")
    body = {"net_kg": 100, "reason": "磅秤读数录错"}
    corrected = client.post("/v1/batches/C1/correction", json=body, headers=auth("operator"))
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["net_kg"] == 100
    again = client.post("/v1/batches/C1/correction", json=body, headers=auth("operator"))
    assert again.status_code == 200
    assert len([e for e in district.recorder.select_notifications(start=1, limit=10_000)
                if e.topic.endswith("Batch.NetKgCorrected")]) == 1
    graded = client.post("/v1/batches/C1/grading", json=grading_body(), headers=auth("operator"))
    assert graded.status_code == 201, graded.text
    assert graded.json()["shrinkage_kg"] == 5
    catch_up()  # the trace view's batch says the corrected kg
    traced = client.get("/v1/trace/C1").json()
    assert [float(s["kg"]) for s in traced["sources"]] == [100]


def test_a_correction_without_a_reason_or_elsewhere_or_below_the_grades_is_refused(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("C2"), headers=auth("operator"))
    client.post("/v1/batches/C2/grading", json=grading_body(), headers=auth("operator"))
    before = events(district)
    assert_problem(client.post("/v1/batches/C2/correction", json={"net_kg": 90},
                               headers=auth("operator")), 422, field="reason")
    assert_problem(client.post("/v1/batches/C2/correction", json={"net_kg": 90, "reason": "复称"},
                               headers=auth("operator-elsewhere")), 403)
    problem = assert_problem(client.post("/v1/batches/C2/correction",
                                         json={"net_kg": 90, "reason": "复称"},
                                         headers=auth("operator")), 422)
    assert problem["type"].endswith("/mass-balance-exceeded") and problem["intake_kg"] == "90.000"
    assert_problem(client.post("/v1/batches/NOPE/correction", json={"net_kg": 90, "reason": "复称"},
                               headers=auth("operator")), 404)
    assert events(district) == before
