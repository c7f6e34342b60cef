"""/healthz on PostgreSQL: honest about the views (ok, catching up, stuck, faulted) and fast
whatever the database does — a host that accepts connections and never answers gets a 503
from /healthz, a read of the views, a read of the event store and a write within a few
seconds, not after the OS gives up (nor after the event store library's ten tries)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from infra.views import ReadModels, build_views
from infra.views.runner import ProjectionRunner
from tests.district import at, graded, intake, seed
from tests.outages import Switch, wait_until
from tests.poison import Refusing, position_of

pytestmark = pytest.mark.postgres
VIEWS = ("stock", "earnings", "trace", "orders", "epcis", "supply", "books")


@pytest.fixture
def switch(postgres_url: str) -> Iterator[Switch]:
    forwarder = Switch(postgres_url)
    yield forwarder
    forwarder.close()


@pytest.fixture
def served(pg_env: dict[str, str], postgres_url: str,
           switch: Switch) -> Iterator[tuple[StoredGongxiao, ReadModels, TestClient]]:
    """The API over an application and views that reach PostgreSQL through ``switch``."""
    url = switch.url
    settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path("var"),
                        views_stuck_s=1.0)
    env = {**pg_env, "POSTGRES_PORT": url.rsplit(":", 1)[1].split("/")[0]}
    app = seed(StoredGongxiao(env=env))
    views = build_views(settings, schema=pg_env["POSTGRES_SCHEMA"])
    try:
        api = create_app(app, settings=settings, views=views, project=False)
        with TestClient(api, raise_server_exceptions=False) as client:
            yield app, views, client
    finally:
        views.close()
        app.close()


def view_states(client: TestClient) -> tuple[int, dict[str, Any]]:
    answer = client.get("/healthz")
    return answer.status_code, answer.json()


def test_healthz_tells_views_caught_up_catching_up_stuck_and_faulted(
        served: tuple[StoredGongxiao, ReadModels, TestClient]) -> None:
    app, views, client = served
    views.runner(app).catch_up()
    status, body = view_states(client)
    assert (status, body["status"]) == (200, "ok")
    assert {name: v["state"] for name, v in body["checks"]["views"].items()} == dict.fromkeys(
        VIEWS, "ok")

    graded(app, "B1")  # nobody projects it: behind, and at first only catching up
    status, body = view_states(client)
    assert (status, body["status"]) == (200, "ok")
    assert body["checks"]["views"]["stock"]["state"] == "catching_up"
    assert body["checks"]["views"]["stock"]["events_behind"] > 0

    wait_until(lambda: client.get("/healthz").status_code == 503, timeout=15,
               what="views standing behind for more than GONGXIAO_VIEWS_STUCK_SECONDS")
    status, body = view_states(client)
    assert status == 503 and body["type"].endswith("/unhealthy") and "views" in body["detail"]
    assert body["checks"]["views"]["stock"]["state"] == "stuck"
    assert body["checks"]["store"]["ok"] is True

    graded(app, "B2")
    poison = position_of(app, "Stock.LotAdded", -1)
    chosen: list[Any] = [Refusing(p, poison) if p.name == "stock" else p
                         for p in views.projections.values()]
    ProjectionRunner(recorder=app.recorder, mapper=app.mapper, store=views.store,
                     projections=chosen).catch_up()
    status, body = view_states(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["views"]["stock"] == {"events_behind": 0, "seconds_behind": 0.0,
                                                "faults": 1, "state": "ok"}
    assert 'gongxiao_projection_faults{view="stock"} 1.0' in client.get("/metrics").text


def test_a_database_that_never_answers_gets_a_503_from_healthz_and_reads_within_seconds(
        served: tuple[StoredGongxiao, ReadModels, TestClient], switch: Switch) -> None:
    app, views, client = served
    graded(app, "B1")
    views.runner(app).catch_up()
    assert client.get("/v1/trace/B1").status_code == 200
    assert client.get("/healthz").status_code == 200

    token = Tokens(app.recorder).issue(role="operator", scope="yongan")
    client.get("/v1/batches/B1", headers={"Authorization": f"Bearer {token}"})  # token known

    switch.hang()
    write = {"batch_code": "B2", "site_id": "yongan", "farmer_id": "zhang", "sku": "jiuhuang",
             "harvested_at": at(0).isoformat(), "net_kg": 5, "scanned_at": at(0, 1).isoformat()}
    for method, path in (("GET", "/healthz"), ("GET", "/v1/trace/B1"), ("POST", "/v1/batches"),
                         ("GET", "/healthz")):
        started = time.monotonic()
        answer = client.request(method, path, json=write if method == "POST" else None,
                                headers={"Authorization": f"Bearer {token}"})
        assert time.monotonic() - started < 4, f"{path} waited on the database"
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["Retry-After"] == "2"
    # the probe gave up waiting (Timeout) or the pool had no connection to give within its 2 s
    assert client.get("/healthz").json()["checks"]["store"] in (
        {"ok": False, "error": "Timeout"}, {"ok": False, "error": "OperationalError"})

    switch.forward()
    wait_until(lambda: client.get("/v1/trace/B1").status_code == 200, timeout=10,
               what="reads answer again once the database does")


def test_a_database_that_never_answers_gets_a_503_from_event_store_reads_and_writes_within_seconds(
        served: tuple[StoredGongxiao, ReadModels, TestClient], switch: Switch) -> None:
    app, _, client = served
    intake(app, "B1")
    token = Tokens(app.recorder).issue(role="operator", scope="yongan")
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/batches/B1", headers=bearer).status_code == 200  # token known

    switch.hang()  # the pooled connections break in use, and no new one ever answers
    grading = {"graded_at": at(0, 3).isoformat(), "grades": {"A": 60, "B": 30}, "reject_kg": 5}
    for method, path in (("GET", "/v1/batches/B1"), ("POST", "/v1/batches/B1/grading"),
                         ("GET", "/v1/batches/B1")):
        started = time.monotonic()
        answer = client.request(method, path, headers=bearer,
                                json=grading if method == "POST" else None)
        assert time.monotonic() - started < 4, f"{method} {path} waited on the event store"
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"

    switch.heal()  # the connections tried meanwhile still wait: new ones must be tried
    wait_until(lambda: client.get("/v1/batches/B1", headers=bearer).status_code == 200,
               timeout=20, what="event store reads answer again once the database does")
    assert client.post("/v1/batches/B1/grading", headers=bearer, json=grading).status_code == 201
