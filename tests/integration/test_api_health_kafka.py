"""/healthz with Kafka configured: the real broker answers the metadata probe."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.views import build_views

pytestmark = pytest.mark.kafka


def test_healthz_reports_kafka_reachable(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = Settings(database_url=None, kafka_bootstrap=kafka_bootstrap, var_dir=tmp_path)
    app, views = StoredGongxiao(env=settings.event_store_env()), build_views(settings)
    try:
        with TestClient(create_app(app, settings=settings, views=views, project=False)) as client:
            response = client.get("/healthz")
        assert response.status_code == 200, response.text
        assert response.json()["checks"]["kafka"]["ok"] is True
        assert response.json()["checks"]["kafka"]["bootstrap"] == kafka_bootstrap
    finally:
        views.close()
        app.close()
