"""The application on each real store: the same use-case suite runs on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from infra.application import StoredGongxiao
from infra.settings import Settings
from tests.databases import own_database


@pytest.fixture
def pg_env(postgres_url: str) -> Iterator[dict[str, str]]:
    """Event-store settings for a fresh PostgreSQL schema, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    env = Settings(database_url=postgres_url, kafka_bootstrap=None,
                   var_dir=Path("var")).event_store_env()
    env["POSTGRES_SCHEMA"] = schema
    yield env
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def database_url(postgres_url: str) -> Iterator[str]:
    """A database of the test's own, for commands that keep their views in its public schema
    (``gongxiao serve``, ``gongxiao projections rebuild``); dropped afterwards."""
    with own_database(postgres_url, "gongxiao_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    if request.param == "postgres":
        return dict(request.getfixturevalue("pg_env"))
    return Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp_path).event_store_env()


@pytest.fixture
def app(store_env: dict[str, str]) -> Iterator[StoredGongxiao]:
    application = StoredGongxiao(env=store_env)
    yield application
    application.close()
