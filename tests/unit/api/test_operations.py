"""GET /healthz, /metrics, /openapi.json and /docs."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.routes.health import KafkaProbe
from contract.health import HealthPublic
from domain.application import Gongxiao
from tests.unit.api.helpers import assert_problem, intake_body

Auth = Callable[[str], dict[str, str]]


def test_healthz_answers_ok_with_what_it_checked(client: TestClient, district: Gongxiao,
                                                 catch_up: Callable[[], Any]) -> None:
    catch_up()
    response = client.get("/healthz")
    assert response.status_code == 200
    head = district.recorder.max_notification_id()
    caught_up = {"events_behind": 0, "seconds_behind": 0.0, "faults": 0, "state": "ok"}
    assert response.json() == {"status": "ok", "checks": {
        "store": {"ok": True, "events": head}, "kafka": {"ok": True, "configured": False},
        "views": {name: caught_up for name in ("stock", "earnings", "trace", "orders", "epcis",
                                                  "supply", "books")}}}


def test_healthz_says_degraded_when_kafka_is_configured_and_unreachable(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    state = client.app.state  # type: ignore[attr-defined]
    monkeypatch.setattr(state, "settings", state.settings.__class__(
        database_url=None, kafka_bootstrap=f"127.0.0.1:{port}", var_dir=state.settings.var_dir))
    monkeypatch.setattr(state, "kafka_probe", KafkaProbe(timeout_s=0.5))
    response = client.get("/healthz")  # writes still work: the stored log is the outbox
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["store"]["ok"] is True
    assert response.json()["checks"]["kafka"]["ok"] is False


def test_healthz_with_faults_is_degraded_and_answers_as_its_model(
        client: TestClient, district: Gongxiao, views: Any, catch_up: Callable[[], Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    catch_up()
    monkeypatch.setattr(views.store, "fault_counts",
                        lambda: {"trace": 1, "kafka-offset@gongxiao.events/0": 2})
    response = client.get("/healthz")  # the client's hook checks it against HealthPublic
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["views"]["trace"]["faults"] == 1
    assert body["checks"]["views"]["kafka-offset@gongxiao.events/0"] == {
        "faults": 2, "state": "fed_from_kafka"}
    HealthPublic.model_validate(body)


def test_healthz_declares_its_answer_and_its_model_refuses_another_shape(
        client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    answer = spec["paths"]["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"$ref": "#/components/schemas/HealthPublic"}
    checks = {"store": {"ok": True, "events": 3}, "kafka": {"ok": True, "configured": False},
              "views": {"stock": {"events_behind": 0, "seconds_behind": 0.0, "faults": 0,
                                  "state": "ok"}}}
    HealthPublic.model_validate({"status": "ok", "checks": checks})
    for wrong in ({"status": "down", "checks": checks},
                  {"status": "ok", "checks": checks | {"store": {"ok": False, "error": "X"}}},
                  {"status": "ok", "checks": checks, "extra": 1}):
        with pytest.raises(ValidationError):
            HealthPublic.model_validate(wrong)


def test_healthz_says_the_store_is_down(client: TestClient, app: Gongxiao,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable() -> int:
        raise ConnectionError("no route to the database")

    monkeypatch.setattr(app.recorder, "max_notification_id", unreachable)
    problem = assert_problem(client.get("/healthz"), 503, detail="store")
    assert problem["checks"]["store"] == {"ok": False, "error": "ConnectionError"}


def test_metrics_count_requests_by_route_and_show_the_log_and_lag(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    client.get("/v1/batches/B1", headers=auth("operator"))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'gongxiao_http_requests_total{method="POST",route="/v1/batches",status="201"} 1.0' in text
    assert 'route="/v1/batches/{batch_code}"' in text
    assert f"gongxiao_events_appended {float(district.recorder.max_notification_id() or 0)}" in text
    assert 'gongxiao_projection_lag_events{view="stock"}' in text


def test_openapi_describes_every_endpoint_with_demo_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/batches", "/v1/trace/{code}", "/v1/events", "/healthz"} <= set(spec["paths"])
    post = spec["paths"]["/v1/orders"]["post"]
    assert "application/problem+json" in post["responses"]["409"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    example = spec["components"]["schemas"]["OrderCreate"]["examples"][0]
    assert example["outlet_id"] == "outlet-jinniu"
    assert client.get("/docs").status_code == 200
