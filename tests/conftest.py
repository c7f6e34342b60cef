"""Fixtures shared by every test: where the real servers are, and what to do without them."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(message: str) -> NoReturn:
    """A server a test needs is missing: skip it, or fail it where CI requires the servers."""
    if os.environ.get("GONGXIAO_REQUIRE_SERVICES") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _service(env_name: str, what: str) -> str:
    value = os.environ.get(env_name, "")
    if value:
        return value
    unavailable(f"{what} is not configured: set {env_name} (make test starts it via infra/services/up.sh)")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a real PostgreSQL database the tests may wipe."""
    return _service("GONGXIAO_TEST_DATABASE_URL", "PostgreSQL")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """host:port of a real Apache Kafka broker."""
    return _service("GONGXIAO_TEST_KAFKA_BOOTSTRAP", "Apache Kafka")
