"""The rate limit counts a valid token against the token, whatever the spelling of its header,
and everything else against the client address; made-up tokens cost bounded lookups."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from domain.application import Gongxiao
from infra.settings import Limits, Settings
from infra.views import ReadModels
from tests.unit.api.helpers import assert_problem, clear_of_a_window_edge, token_lookups

Auth = Callable[[str], dict[str, str]]


def limited_api(app: Gongxiao, settings: Settings, views: ReadModels, **limits: str) -> FastAPI:
    return create_app(app, settings=settings, views=views, limits=Limits(**limits), project=False)


@pytest.fixture
def made(app: Gongxiao, settings: Settings, views: ReadModels) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def client(**limits: str) -> TestClient:
        clear_of_a_window_edge()
        clients.append(TestClient(limited_api(app, settings, views, **limits),
                                  raise_server_exceptions=False))
        return clients[-1]

    yield client
    for each in clients:
        each.close()


def lookups(client: TestClient) -> list[str]:
    return token_lookups(client.app.state.tokens)  # type: ignore[attr-defined]


def made_up_token() -> str:
    return "gx_" + secrets.token_urlsafe(32)


def test_a_made_up_header_per_request_is_counted_against_the_address(
        made: Callable[..., TestClient], district: Gongxiao) -> None:
    client = made(per_address="20/minute", per_token="1000/minute", failed_auth="1000/minute")
    headers = [f"Bearer {made_up_token()}", "Basic dXNlcjpwYXNz", "Bearer not-a-token",
               "Token abc", "bearer"]

    statuses = [client.get("/v1/trace/X", headers={"Authorization": f"{headers[i % 5]}{i}"}).status_code
                for i in range(60)]

    assert statuses == [404] * 20 + [429] * 40


def test_the_spellings_of_one_token_share_one_budget(
        made: Callable[..., TestClient], district: Gongxiao, tokens: dict[str, str]) -> None:
    client = made(per_address="1000/minute", per_token="6/minute")
    token = tokens["admin"]
    spellings = [f"Bearer {token}", f"bearer {token}", f"BEARER {token}", f"Bearer  {token}",
                 f"Bearer {token} ", f"bEaReR   {token}"]

    statuses = [client.get("/v1/stock", headers={"Authorization": s}).status_code for s in spellings]
    refused = client.get("/v1/stock", headers={"Authorization": f"bearer  {token}"})

    assert statuses == [200] * 6
    assert_problem(refused, 429, detail="from this token")


def test_a_valid_token_is_not_counted_against_its_address(
        made: Callable[..., TestClient], district: Gongxiao, auth: Auth) -> None:
    client = made(per_address="2/minute", per_token="1000/minute")

    assert [client.get("/v1/stock", headers=auth("admin")).status_code for _ in range(5)] == [200] * 5
    assert [client.get("/v1/trace/X").status_code for _ in range(3)] == [404, 404, 429]


def test_made_up_tokens_cost_a_bounded_number_of_lookups(
        made: Callable[..., TestClient], district: Gongxiao, auth: Auth) -> None:
    client = made(per_address="1000/minute", per_token="1000/minute", failed_auth="5/minute")
    seen = lookups(client)
    again = made_up_token()

    repeated = [client.get("/v1/stock", headers={"Authorization": f"Bearer {again}"}).status_code
                for _ in range(30)]
    assert repeated == [401] * 30 and len(seen) == 1  # the same unknown token: looked up once
    distinct = [client.get("/v1/stock", headers={"Authorization": f"Bearer {made_up_token()}"})
                for _ in range(30)]

    assert [r.status_code for r in distinct] == [401] * 4 + [429] * 26
    assert_problem(distinct[-1], 429, detail="unknown tokens from this address")
    assert len(seen) == 5
    assert client.get("/v1/stock", headers=auth("admin")).status_code == 429  # not yet looked up


def test_a_malformed_token_is_refused_without_a_lookup(
        made: Callable[..., TestClient], district: Gongxiao) -> None:
    client = made(per_address="1000/minute", failed_auth="1/minute")
    seen = lookups(client)
    malformed: list[str | bytes] = [
        "Bearer gx_short", "Bearer " + "x" * 5000, ("Bearer gx_" + "é" * 43).encode("latin-1"),
        f"Bearer {made_up_token()}x", f"Basic {made_up_token()}", f"Bearer\t{made_up_token()}"]

    answers = [client.get("/v1/stock", headers={"Authorization": h}) for h in malformed]

    assert [a.status_code for a in answers] == [401] * len(malformed) and seen == []
    assert_problem(answers[0], 401, detail="ask the co-op office")


def test_a_token_lookup_on_a_store_that_is_down_is_a_503_problem(
        made: Callable[..., TestClient], district: Gongxiao, auth: Auth,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from eventsourcing.persistence import OperationalError

    client = made()

    def down(*_: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(client.app.state.tokens._db, "run", down)  # type: ignore[attr-defined]
    assert_problem(client.get("/v1/stock", headers=auth("admin")), 503, detail="not reachable")
