"""The rule suite of ``tests/unit/test_use_cases.py`` on PostgreSQL: the same tests, imported,
with ``store_env`` a fresh schema of the real server (the unit run has memory and SQLite)."""

from __future__ import annotations

import pytest

from tests.unit.test_use_cases import *  # noqa: F403  (the suite's tests and fixtures)


@pytest.fixture
def store_env(pg_env: dict[str, str]) -> dict[str, str]:
    return dict(pg_env)
