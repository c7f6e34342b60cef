"""A PostgreSQL restart, as the server's own connections see it (their backends terminated):
the views follow new events again with no restart of the server, and a read whose connection
died answers 503, the next one 200."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.views import build_views
from tests.district import graded, seed
from tests.outages import terminate_backends, wait_until

pytestmark = pytest.mark.postgres
VIEWS = {"gongxiao views writer", "gongxiao views listen", "gongxiao views reader"}


def test_the_views_follow_new_events_after_every_connection_was_killed(database_url: str,
                                                                       tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, kafka_bootstrap=None, var_dir=tmp_path)
    app = seed(StoredGongxiao(env=settings.event_store_env()))
    views = build_views(settings)
    try:
        with TestClient(create_app(app, settings=settings, views=views),
                        raise_server_exceptions=False) as http:
            graded(app, "B1")
            wait_until(lambda: http.get("/v1/trace/B1").status_code == 200, timeout=20,
                       what="the views show B1")

            assert terminate_backends(database_url) >= VIEWS
            dead = http.get("/v1/trace/B1")
            assert dead.status_code == 503, dead.text
            assert dead.headers["content-type"] == "application/problem+json"
            assert dead.headers["Retry-After"] == "2"
            assert http.get("/v1/trace/B1").status_code == 200

            graded(app, "B2")
            wait_until(lambda: http.get("/v1/trace/B2").status_code == 200, timeout=20,
                       what="the views show B2, written after the connections were killed")
            assert terminate_backends(database_url) >= VIEWS, "listening again, reading again"
            graded(app, "B3")
            wait_until(lambda: http.get("/v1/trace/B3").status_code == 200, timeout=20,
                       what="the views show B3 after a second kill")
    finally:
        views.close()
        app.close()
