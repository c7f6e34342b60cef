"""The application and its views on an embedded SQLite store in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.views import ReadModels, build_views

IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.fixture(params=["memory", "sqlite"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The stores the rule suite (``test_use_cases.py``) runs on here: the library's in-memory
    recorder and the embedded SQLite; ``tests/integration`` runs it on PostgreSQL."""
    if request.param == "memory":
        return dict(IN_MEMORY)
    return Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp_path).event_store_env()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp_path,
                    public_url="https://trace.gongxiao.test")


@pytest.fixture
def app(settings: Settings) -> Iterator[StoredGongxiao]:
    application = StoredGongxiao(env=settings.event_store_env())
    yield application
    application.close()


@pytest.fixture
def views(settings: Settings) -> Iterator[ReadModels]:
    built = build_views(settings)
    yield built
    built.close()
