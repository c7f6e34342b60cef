"""What the edge decides before a route: times from the future, periods the wrong way round,
whole numbers written with a fraction of zero, the packing limit, OPTIONS and 405, unknown
static files, and the headers every answer carries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from domain.application import Gongxiao
from domain.stock import MAX_PACKS_PER_RUN
from tests.unit.api.helpers import assert_problem, events, intake_body, packing_body

Auth = Callable[[str], dict[str, str]]


def _from_now(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def test_a_harvest_dated_2099_is_refused_and_records_nothing(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    before = events(district)
    far = intake_body("B1") | {"harvested_at": "2099-11-03T06:00:00+08:00",
                               "scanned_at": "2099-11-03T09:00:00+08:00"}
    body = assert_problem(client.post("/v1/batches", json=far, headers=auth("operator")), 422)
    assert {e["field"] for e in body["errors"]} == {"harvested_at", "scanned_at"}
    assert "future" in body["errors"][0]["message"]
    assert events(district) == before


def test_a_harvest_after_its_intake_scan_is_refused_by_the_domain(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    late = intake_body("B1") | {"harvested_at": _from_now(minutes=-10),
                                "scanned_at": _from_now(minutes=-20)}
    assert_problem(client.post("/v1/batches", json=late, headers=auth("operator")), 422,
                   field="harvested_at", detail="after the intake scan")


def test_a_scanner_clock_a_few_minutes_fast_is_allowed_an_hour_is_not(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    fast = intake_body("B1") | {"harvested_at": _from_now(hours=-3),
                                "scanned_at": _from_now(minutes=3)}
    assert client.post("/v1/batches", json=fast, headers=auth("operator")).status_code == 201
    wrong = intake_body("B2") | {"harvested_at": _from_now(hours=-3),
                                 "scanned_at": _from_now(hours=1)}
    assert_problem(client.post("/v1/batches", json=wrong, headers=auth("operator")), 422,
                   field="scanned_at")


def test_every_time_of_a_fact_refuses_the_future(client: TestClient, district: Gongxiao,
                                                 auth: Auth) -> None:
    before = events(district)
    late = _from_now(days=2)
    assert_problem(client.post("/v1/temperature-readings", headers=auth("operator"), json={
        "site_id": "yongan", "room": "冷藏1号", "readings": [{"at": late, "celsius": 3}]}),
        422, field="readings[0].at")
    assert_problem(client.post("/v1/farmers/zhang/payments", headers=auth("admin"), json={
        "amount_fen": 100, "paid_at": late, "method": "cash", "reference": "R1"}),
        422, field="paid_at")
    assert_problem(client.post("/v1/packing-runs", headers=auth("operator"),
                               json=packing_body(1) | {"packed_at": late}), 422, field="packed_at")
    assert events(district) == before


def test_earnings_over_a_period_ending_before_it_begins_are_refused(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    answer = client.get("/v1/farmers/zhang/earnings", headers=auth("admin"), params={
        "from": "2026-11-10T00:00:00+08:00", "to": "2026-11-01T00:00:00+08:00"})
    assert_problem(answer, 422, field="from")


def test_a_whole_number_written_with_a_zero_fraction_is_that_number(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    json_body = auth("admin") | {"Content-Type": "application/json"}
    answer = client.post("/v1/farmers/zhang/payments", headers=json_body, content=(
        b'{"amount_fen": 13698.0, "paid_at": "2026-11-08T15:00:00+08:00", "method": "cash",'
        b' "reference": "R-13698"}'))
    assert answer.status_code == 201, answer.text
    assert answer.json()["amount_fen"] == 13698 and "13698.0" not in answer.text
    assert_problem(client.post("/v1/farmers/zhang/payments", headers=json_body, content=(
        b'{"amount_fen": 1e999999999, "paid_at": "2026-11-08T15:00:00+08:00",'
        b' "method": "cash", "reference": "R-big"}')), 422, field="amount_fen")


def test_a_packing_run_has_one_limit_in_the_schema_and_the_domain(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["PackingRunCreate"]
    assert schema["properties"]["count"]["maximum"] == MAX_PACKS_PER_RUN
    assert_problem(client.post("/v1/packing-runs", headers=auth("operator"),
                               json=packing_body(MAX_PACKS_PER_RUN + 1)), 422, field="count")


def test_options_answers_every_method_of_the_path(client: TestClient) -> None:
    answer = client.options("/v1/orders")
    assert answer.status_code == 204
    assert answer.headers["allow"] == "GET, OPTIONS, POST"
    assert client.options("/t/ANY").headers["allow"] == "GET, OPTIONS"
    assert_problem(client.options("/v1/nothing-here"), 404)
    refused = client.delete("/v1/orders")
    assert_problem(refused, 405)
    assert refused.headers["allow"] == "GET, OPTIONS, POST"


@pytest.mark.parametrize("name", ["nope.js", "app.py", "..%2Fscreens.py"])
def test_an_unknown_static_file_is_a_problem(client: TestClient, name: str) -> None:
    assert_problem(client.get(f"/static/pages/{name}"), 404)


@pytest.mark.parametrize("path", ["/admin", "/t/NOPE", "/v1/trace/NOPE", "/healthz",
                                  "/v1/nothing-here", "/static/pages/app.js"])
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]

