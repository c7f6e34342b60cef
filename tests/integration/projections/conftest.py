"""The application and its views on each real store: the projection suite runs on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.application import Gongxiao
from infra.settings import Settings
from infra.views import ReadModels, build_views
from tests.district import seed


def views_settings(store_env: dict[str, str], postgres_url: str | None) -> tuple[Settings, str | None]:
    if "POSTGRES_DBNAME" in store_env:
        return Settings(database_url=postgres_url, kafka_bootstrap=None,
                        var_dir=Path("var")), store_env["POSTGRES_SCHEMA"]
    return Settings(database_url=None, kafka_bootstrap=None,
                    var_dir=Path(store_env["SQLITE_DBNAME"]).parent), None


@pytest.fixture
def make_views(store_env: dict[str, str], request: pytest.FixtureRequest) -> Iterator[Any]:
    """Builds views on the store of ``store_env`` (a second call is a second process's view)."""
    url = (request.getfixturevalue("postgres_url")
           if "POSTGRES_DBNAME" in store_env else None)
    built: list[ReadModels] = []

    def make() -> ReadModels:
        settings, schema = views_settings(store_env, url)
        built.append(build_views(settings, schema=schema))
        return built[-1]

    yield make
    for views in built:
        views.close()


@pytest.fixture
def views(make_views: Any) -> ReadModels:
    return make_views()


@pytest.fixture
def district(app: Gongxiao) -> Gongxiao:
    return seed(app)


def snapshot(views: ReadModels, name: str | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a view (or of all views), in key order."""
    tables = {}
    for projection in views.projections.values():
        if name not in (None, projection.name):
            continue
        for t in projection.tables:
            cols = ", ".join(t.column_names)
            rows = views.db.fetch(f"SELECT {cols} FROM {t.name} ORDER BY {', '.join(t.key)}")
            tables[t.name] = [tuple(r.values()) for r in rows]
    return tables
