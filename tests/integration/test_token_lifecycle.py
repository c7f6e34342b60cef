"""Tokens over HTTP on each real store: an expired token is refused at once, a revoked one by
every process within its cache time, even a process that met it before the revoke; made-up
tokens cost a bounded number of lookups."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from infra.application import StoredGongxiao
from infra.settings import Limits, Settings
from infra.sidetables import SideTables
from infra.tokens import Tokens
from tests.unit.api.helpers import clear_of_a_window_edge, token_lookups

CACHE_S = 1.0
Processes = Callable[..., TestClient]


@pytest.fixture
def process(store_env: dict[str, str], tmp_path: Path) -> Iterator[Processes]:
    """A server process on the one store (each its own application, views and token cache)."""
    settings = Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp_path,
                        token_cache_s=CACHE_S)
    opened: list[tuple[StoredGongxiao, TestClient]] = []

    def start(limits: Limits | None = None) -> TestClient:
        app = StoredGongxiao(env=store_env)
        client = TestClient(create_app(app, settings=settings, limits=limits, project=False),
                            raise_server_exceptions=False)
        opened.append((app, client))
        return client

    yield start
    for app, client in opened:
        client.close()
        app.close()


def tokens_of(client: TestClient) -> Tokens:
    return client.app.state.tokens  # type: ignore[attr-defined, no-any-return]


def status(client: TestClient, token: str) -> int:
    return client.get("/v1/stock", headers={"Authorization": f"Bearer {token}"}).status_code


def wait_for_status(client: TestClient, token: str, wanted: int, *, within_s: float) -> float:
    """How long it took the process to answer ``wanted``; fails after ``within_s``."""
    started = time.monotonic()
    while (got := status(client, token)) != wanted:
        assert time.monotonic() - started < within_s, f"still {got} after {within_s} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_token_revoked_elsewhere_is_refused_by_a_process_that_met_it_within_its_cache_time(
        process: Processes) -> None:
    here, elsewhere = process(), process()
    token = tokens_of(elsewhere).issue(role="admin")
    assert status(here, token) == 200  # met here: remembered for CACHE_S
    (listed,) = tokens_of(elsewhere).listing()

    assert tokens_of(elsewhere).revoke(listed["id"])

    assert status(elsewhere, token) == 401
    wait_for_status(here, token, 401, within_s=CACHE_S + 3)
    assert status(process(), token) == 401


def test_a_token_deleted_from_the_store_stops_working_in_a_process_that_met_it(
        process: Processes) -> None:
    here = process()
    token = tokens_of(here).issue(role="operator", scope="yongan")
    assert status(here, token) == 200
    side_tables = tokens_of(here)._db
    side_tables.change(f"DELETE FROM {side_tables.name('gongxiao_tokens')}")

    wait_for_status(here, token, 401, within_s=CACHE_S + 3)


def test_an_expired_token_is_refused_at_once_even_when_remembered(process: Processes) -> None:
    here = process()
    now = [datetime.now(UTC)]
    tokens = Tokens(here.app.state.gongxiao.recorder, cache_s=3600,  # type: ignore[attr-defined]
                    clock=lambda: now[0])
    here.app.state.tokens = tokens  # type: ignore[attr-defined]
    token = tokens.issue(role="admin", days=1)
    assert status(here, token) == 200

    now[0] += timedelta(days=1, seconds=1)

    answer = here.get("/v1/stock", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_tokens_made_before_expiry_existed_keep_working_and_expire_365_days_after_they_were_made(
        app: StoredGongxiao) -> None:
    made = datetime.now(UTC) - timedelta(days=3)
    round_one = SideTables(app.recorder)  # the table as the first release made it
    table = round_one.name("gongxiao_tokens")
    round_one.run(f"CREATE TABLE {table} (token_sha256 TEXT PRIMARY KEY, role TEXT NOT NULL, "
                  "scope TEXT, created_at TEXT NOT NULL)")
    token = "gx_" + "A" * 43
    round_one.run(f"INSERT INTO {table} VALUES (%s, 'admin', NULL, %s)",
                  (hashlib.sha256(token.encode()).hexdigest(), made.isoformat()))

    Tokens(app.recorder)
    tokens = Tokens(app.recorder)  # a second process meets the migrated table

    (row,) = tokens.listing()
    assert datetime.fromisoformat(row["expires_at"]) == made + timedelta(days=365)
    assert row["revoked_at"] is None
    found = tokens.principal(token)
    assert found is not None and found.role == "admin" and found.token_id == row["id"]


def test_made_up_tokens_cost_bounded_lookups_and_spellings_of_one_token_share_a_budget(
        process: Processes) -> None:
    here = process(Limits(per_token="5/minute", per_address="1000/minute", failed_auth="3/minute"))
    lookups = token_lookups(tokens_of(here))
    token = tokens_of(here).issue(role="admin")

    clear_of_a_window_edge(20)  # the spellings and the made-up tokens count in one minute
    spelled = [here.get("/v1/stock", headers={"Authorization": f"{scheme}{token}"}).status_code
               for scheme in ("bearer ", "BEARER  ", "Bearer ", "bEaReR   ", "Bearer ", "bearer ")]
    made_up = [status(here, "gx_" + secrets.token_urlsafe(32)) for _ in range(20)]

    assert made_up == [401] * 3 + [429] * 17
    assert spelled == [200] * 5 + [429]
    assert len(lookups) == 3 + 1 + 1  # 3 made-up tokens, the issue, the real token once
