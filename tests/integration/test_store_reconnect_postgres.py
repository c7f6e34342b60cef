"""The event store after a PostgreSQL restart: every pooled connection is dead (their
sessions terminated, as a restart does), and the very next requests — a write, a read, a
token never seen before — answer as if nothing happened, on new connections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from infra.views import build_views
from tests.district import at, seed
from tests.outages import terminate_backends

pytestmark = pytest.mark.postgres


@pytest.fixture
def served(pg_env: dict[str, str], postgres_url: str) -> Iterator[tuple[StoredGongxiao, TestClient]]:
    settings = Settings(database_url=postgres_url, kafka_bootstrap=None, var_dir=Path("var"))
    app = seed(StoredGongxiao(env=pg_env))
    views = build_views(settings, schema=pg_env["POSTGRES_SCHEMA"])
    try:
        api = create_app(app, settings=settings, views=views, project=False)
        with TestClient(api, raise_server_exceptions=False) as client:
            yield app, client
    finally:
        views.close()
        app.close()


def intake(code: str) -> dict[str, object]:
    return {"batch_code": code, "site_id": "yongan", "farmer_id": "zhang", "sku": "jiuhuang",
            "harvested_at": at(0).isoformat(), "net_kg": 5, "scanned_at": at(0, 1).isoformat()}


def test_the_first_requests_after_a_database_restart_succeed_on_new_connections(
        served: tuple[StoredGongxiao, TestClient], postgres_url: str, pg_env: dict[str, str]) -> None:
    app, client = served
    tokens = Tokens(app.recorder)
    bearer = {"Authorization": f"Bearer {tokens.issue(role='operator', scope='yongan')}"}
    assert client.post("/v1/batches", json=intake("B1"), headers=bearer).status_code == 201
    ours = f"gongxiao events {pg_env['POSTGRES_SCHEMA']}"

    assert terminate_backends(postgres_url, ours) == {ours}
    answer = client.post("/v1/batches", json=intake("B2"), headers=bearer)
    assert answer.status_code == 201, answer.text
    answer = client.get("/v1/batches/B2", headers=bearer)
    assert answer.status_code == 200, answer.text

    unseen = {"Authorization": f"Bearer {tokens.issue(role='operator', scope='yongan')}"}
    assert terminate_backends(postgres_url, ours) == {ours}
    answer = client.get("/v1/batches/B1", headers=unseen)  # its token is looked up first
    assert answer.status_code == 200, answer.text
