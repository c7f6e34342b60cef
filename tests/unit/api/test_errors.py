"""Every error is problem+json: protocol errors, auth, limits and the unexpected."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import limits.storage.memory
import limits.strategies
import pytest
from fastapi.testclient import TestClient

import api.limits
from api.limits import Limits
from api.main import create_app
from domain.application import Gongxiao
from infra.settings import Settings
from infra.views import ReadModels
from tests.unit.api.helpers import assert_problem, clear_of_a_window_edge, events, intake_body

Auth = Callable[[str], dict[str, str]]


def test_malformed_json_is_a_bad_request(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    response = client.post("/v1/batches", content=b'{"batch_code": ',
                           headers=auth("operator") | {"Content-Type": "application/json"})
    assert_problem(response, 400, detail="not valid JSON")
    nan = client.post("/v1/batches", content=b'{"net_kg": NaN}',
                      headers=auth("operator") | {"Content-Type": "application/json"})
    assert_problem(nan, 400)


def test_a_body_that_is_not_an_object_or_has_unknown_fields_is_refused(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    before = events(district)
    assert_problem(client.post("/v1/batches", json=[1, 2], headers=auth("operator")), 422)
    assert_problem(client.post("/v1/batches", json=intake_body("B1") | {"net_kgs": 1},
                               headers=auth("operator")), 422, field="net_kgs")
    assert events(district) == before


def test_a_weight_as_a_string_or_a_count_as_a_float_is_refused(client: TestClient,
                                                               district: Gongxiao,
                                                               auth: Auth) -> None:
    before = events(district)
    assert_problem(client.post("/v1/batches", json=intake_body("B1", net_kg="100"),
                               headers=auth("operator")), 422, field="net_kg")
    assert_problem(client.post("/v1/batches", json=intake_body("B1") | {"crates": 2.5},
                               headers=auth("operator")), 422, field="crates")
    assert events(district) == before


def test_weights_are_read_and_stored_without_float_loss(client: TestClient, district: Gongxiao,
                                                        auth: Auth) -> None:
    body = b'{"batch_code": "B1", "site_id": "yongan", "farmer_id": "zhang", "sku": "jiuhuang",' \
           b' "harvested_at": "2026-11-01T06:00:00+08:00", "net_kg": 999999.999,' \
           b' "scanned_at": "2026-11-01T09:00:00+08:00"}'
    response = client.post("/v1/batches", content=body,
                           headers=auth("operator") | {"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert str(district.batch("B1").net_kg) == "999999.999"


def test_unknown_route_and_wrong_method_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404, detail="/v1/nothing-here")
    response = client.delete("/v1/batches")
    assert_problem(response, 405, detail="DELETE")
    assert "POST" in response.headers["allow"]


def test_no_token_is_unauthorized(client: TestClient, district: Gongxiao) -> None:
    response = client.post("/v1/batches", json=intake_body("B1"))
    assert_problem(response, 401, detail="needs a token")
    assert response.headers["www-authenticate"] == "Bearer"
    unknown = client.get("/v1/stock", headers={"Authorization": "Bearer gx_not-a-real-token"})
    assert_problem(unknown, 401, detail="not known")
    assert_problem(client.get("/v1/stock", headers={"Authorization": "Basic eDp5"}), 401)


def test_an_unexpected_failure_is_a_500_problem_without_a_trace(
        client: TestClient, district: Gongxiao, auth: Auth,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(district, "receive_batch", broken)
    response = client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator"))
    assert_problem(response, 500)
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.headers["x-frame-options"] == "DENY"  # answered at the edge, as any other


def test_a_declared_body_over_the_limit_is_too_large(client: TestClient, district: Gongxiao,
                                                     auth: Auth) -> None:
    before = events(district)
    response = client.post("/v1/batches", content=b"x" * (1_048_576 + 1),
                           headers=auth("operator") | {"Content-Type": "application/json"})
    assert_problem(response, 413)
    assert events(district) == before


def test_a_streamed_body_over_the_limit_is_too_large(client: TestClient, district: Gongxiao,
                                                     auth: Auth) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 65536

    response = client.post("/v1/batches", content=chunks(),
                           headers=auth("operator") | {"Content-Type": "application/json"})
    assert_problem(response, 413)


@pytest.fixture
def limited(app: Gongxiao, settings: Settings, views: ReadModels) -> Iterator[TestClient]:
    clear_of_a_window_edge()
    limits = Limits(per_token="3/minute", per_address="2/minute", max_body_bytes=1000)
    api = create_app(app, settings=settings, views=views, limits=limits, project=False)
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


class Clock:
    """The rate limiter's clock (``time`` as ``api.limits`` and the ``limits`` library read
    it), moved by the test; every other name of the ``time`` module is the real one."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_800_000_000.0 + 20)  # 20 s into a minute
    for module in (api.limits, limits.strategies, limits.storage.memory):
        monkeypatch.setattr(module, "time", fake)
    return fake


def test_too_many_requests_per_address_is_429_with_retry_after(limited: TestClient,
                                                               district: Gongxiao,
                                                               clock: Clock) -> None:
    statuses = []
    for _ in range(2):
        statuses.append(limited.get("/v1/trace/X").status_code)
        clock.now += 0.1
    assert statuses == [404, 404]
    response = limited.get("/v1/trace/X")
    wait = int(response.headers["retry-after"])
    problem = assert_problem(response, 429, detail=f"send again in {wait} s")
    assert problem["retry_after_s"] == wait
    assert limited.get("/healthz").status_code == 200  # not counted, not refused
    # Halfway, still refused, and told the time that is left, not the whole wait again.
    clock.now += wait / 2
    halfway = limited.get("/v1/trace/X")
    assert halfway.status_code == 429
    assert abs(int(halfway.headers["retry-after"]) - wait / 2) <= 1
    # Sent again when it said: answered.
    clock.now += wait / 2
    assert limited.get("/v1/trace/X").status_code == 404


def test_too_many_requests_per_token_is_429(limited: TestClient, district: Gongxiao,
                                            auth: Auth) -> None:
    statuses = [limited.get("/v1/stock", headers=auth("admin")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert limited.get("/v1/stock", headers=auth("operator")).status_code == 200


def test_store_unreachable_is_503(client: TestClient, district: Gongxiao, auth: Auth,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from eventsourcing.persistence import OperationalError

    def down(**_: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(district, "receive_batch", down)
    assert_problem(client.post("/v1/batches", json=intake_body("B1"), headers=auth("operator")),
                   503, detail="not reachable")
