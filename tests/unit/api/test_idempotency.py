"""Idempotency-Key: a replay answers the first answer and records nothing; the same key with
another body is 409; two copies racing record one command."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from contract.orders import OrderCreate
from domain.application import Gongxiao
from domain.stock import Stock
from infra.commands import perform
from infra.idempotency import Replies, kept_at
from tests.unit.api.helpers import (
    assert_problem,
    events,
    intake_body,
    order_body,
    packing_body,
    stocked,
)

Auth = Callable[[str], dict[str, str]]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_replayed_scan_answers_the_first_answer_and_records_nothing(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    headers = auth("operator") | {"Idempotency-Key": "4f0e4c52-0b5e-4b7e-9a39-1c0c9a3c2d11"}
    first = client.post("/v1/batches", json=intake_body("B1"), headers=headers)
    after_first = events(district)
    replay = client.post("/v1/batches", json=intake_body("B1"), headers=headers)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.content == first.content
    assert replay.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert events(district) == after_first


def test_replayed_order_answers_the_same_packs_even_after_stock_moved(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    stocked(district, packs=4)
    headers = auth("outlet") | {"Idempotency-Key": "order-7f3a"}
    first = client.post("/v1/orders", json=order_body(2), headers=headers)
    client.post("/v1/orders", json=order_body(2), headers=auth("outlet"))
    after = events(district)
    replay = client.post("/v1/orders", json=order_body(2), headers=headers)
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert events(district) == after


def test_replayed_packing_run_makes_no_new_packs(client: TestClient, district: Gongxiao,
                                                 auth: Auth) -> None:
    stocked(district, packs=1)
    body = packing_body(5, pack_kg=1)
    headers = auth("operator") | {"Idempotency-Key": "run-1"}
    first = client.post("/v1/packing-runs", json=body, headers=headers)
    after = events(district)
    assert client.post("/v1/packing-runs", json=body, headers=headers).json() == first.json()
    assert events(district) == after


def test_reused_key_with_a_different_body_is_a_conflict(client: TestClient, district: Gongxiao,
                                                        auth: Auth) -> None:
    headers = auth("operator") | {"Idempotency-Key": "scan-42"}
    client.post("/v1/batches", json=intake_body("B1"), headers=headers)
    before = events(district)
    problem = assert_problem(client.post("/v1/batches", json=intake_body("B2"), headers=headers),
                             409, detail="scan-42")
    assert problem["idempotency_key"] == "scan-42"
    assert events(district) == before


def test_another_callers_key_is_not_theirs_to_conflict_with(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    client.post("/v1/batches", json=intake_body("B1"),
                headers=auth("operator") | {"Idempotency-Key": "scan-44"})
    other = client.post("/v1/batches", json=intake_body("B2"),
                        headers=auth("admin") | {"Idempotency-Key": "scan-44"})
    assert other.status_code == 201 and other.json()["batch_code"] == "B2"


def test_the_same_body_spelled_differently_is_a_replay(client: TestClient, district: Gongxiao,
                                                       auth: Auth) -> None:
    headers = auth("operator") | {"Idempotency-Key": "scan-43"}
    client.post("/v1/batches", json=intake_body("B1", net_kg=100), headers=headers)
    before = events(district)
    again = client.post("/v1/batches", json=intake_body("B1", net_kg=100.000), headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert events(district) == before


def test_a_refusal_is_not_kept_so_the_key_may_succeed_later(client: TestClient,
                                                            district: Gongxiao,
                                                            auth: Auth) -> None:
    headers = auth("outlet") | {"Idempotency-Key": "order-early"}
    assert_problem(client.post("/v1/orders", json=order_body(2), headers=headers), 409)
    stocked(district, packs=2)
    assert client.post("/v1/orders", json=order_body(2), headers=headers).status_code == 201


def test_a_malformed_key_is_refused(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    response = client.post("/v1/batches", json=intake_body("B1"),
                           headers=auth("operator") | {"Idempotency-Key": "x" * 201})
    assert_problem(response, 422, field="Idempotency-Key")


def test_two_copies_of_an_order_racing_record_one_order(district: Gongxiao) -> None:
    stocked(district, packs=10)
    replies = Replies(district.recorder)
    command = OrderCreate.model_validate(order_body(3))
    start, answers = threading.Barrier(4), []

    def clerk() -> None:
        start.wait()
        answers.append(perform(district, command, caller="outlet:out-a", key="racing", replies=replies))

    threads = [threading.Thread(target=clerk) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({status for status, _, _ in answers}) == 1
    assert len({body["order_id"] for _, body, _ in answers}) == 1
    stock = district.repository.get(Stock.create_id("jiuhuang", "A", "yongan"))
    assert sum(1 for pack in stock.packs.values() if pack["order_id"]) == 3


def test_kept_at_text_sorts_as_the_moments_do() -> None:
    second = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
    moments = [second + timedelta(microseconds=m) for m in (-1, 0, 1, 500_000, 999_999)]
    moments += [second.astimezone(SHANGHAI), second + timedelta(days=400)]
    assert sorted(moments, key=kept_at) == sorted(moments)
    assert kept_at(second) == "2026-10-01T08:30:00+00:00"


def test_kept_at_refuses_a_moment_without_its_time_zone() -> None:
    with pytest.raises(ValueError):
        kept_at(datetime(2026, 10, 1, 8, 30))
