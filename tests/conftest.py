"""Fixtures shared by every test: where the real servers are, and what to do without them."""

from __future__ import annotations

import os

import pytest


def _service(env_name: str, what: str) -> str:
    value = os.environ.get(env_name, "")
    if value:
        return value
    message = f"{what} is not configured: set {env_name} (make test starts it via infra/services/up.sh)"
    if os.environ.get("GONGXIAO_REQUIRE_SERVICES") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a real PostgreSQL database the tests may wipe."""
    return _service("GONGXIAO_TEST_DATABASE_URL", "PostgreSQL")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """host:port of a real Apache Kafka broker."""
    return _service("GONGXIAO_TEST_KAFKA_BOOTSTRAP", "Apache Kafka")
