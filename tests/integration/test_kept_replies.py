"""Kept replies ride in the transaction of their command's events, and a use case reads the
aggregates it needs in one query — on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import Gongxiao
from domain.batch import Batch
from domain.errors import IdempotencyConflict, NotFound
from domain.farmer import Farmer
from infra.commands import BatchCreate, perform
from infra.idempotency import Replies, fingerprint
from tests.district import at, events, seed


@pytest.fixture
def district(app: Gongxiao) -> Gongxiao:
    return seed(app)


def _intake(code: str, farmer: str = "zhang") -> BatchCreate:
    return BatchCreate.model_validate({
        "batch_code": code, "site_id": "yongan", "farmer_id": farmer, "sku": "jiuhuang",
        "harvested_at": at(0).isoformat(), "net_kg": 100.5, "scanned_at": at(0, 2).isoformat()})


def _run(app: Gongxiao, replies: Replies, command: BatchCreate, key: str) -> tuple[Any, ...]:
    return perform(app, command, key=key, replies=replies)


def test_a_keyed_command_is_recorded_with_its_reply_in_one_transaction(
        district: Gongxiao) -> None:
    replies = Replies(district.recorder)
    before = events(district)
    status, body, replayed = _run(district, replies, _intake("K1"), "scan-1")
    assert (status, body["batch_code"], replayed) == (201, "K1", False)
    assert events(district) == before + 1
    kept = replies.replay(key="scan-1", fingerprint=_fingerprint(_intake("K1")))
    assert kept is not None and kept.body == body


def test_the_same_command_again_answers_the_kept_reply_and_records_nothing(
        district: Gongxiao) -> None:
    replies = Replies(district.recorder)
    first = _run(district, replies, _intake("K2"), "scan-2")
    before = events(district)
    again = _run(district, replies, _intake("K2"), "scan-2")
    assert again == (first[0], first[1], True)
    assert events(district) == before


def test_another_command_under_a_kept_key_is_refused_and_none_of_its_events_written(
        district: Gongxiao) -> None:
    replies = Replies(district.recorder)
    _run(district, replies, _intake("K3"), "scan-3")
    before = events(district)
    with pytest.raises(IdempotencyConflict):
        _run(district, replies, _intake("K4"), "scan-3")
    assert events(district) == before
    assert district.find(Batch.create_id("K4")) is None


def test_a_refused_command_keeps_no_reply_so_its_key_can_be_used_again(
        district: Gongxiao) -> None:
    replies = Replies(district.recorder)
    with pytest.raises(NotFound):
        _run(district, replies, _intake("K5", farmer="nobody"), "scan-5")
    status, body, replayed = _run(district, replies, _intake("K5"), "scan-5")
    assert (status, body["batch_code"], replayed) == (201, "K5", False)


def test_a_second_process_repeating_a_key_answers_the_first_ones_reply(
        district: Gongxiao, store_env: dict[str, str]) -> None:
    other = Gongxiao(env=store_env)
    try:
        first = _run(district, Replies(district.recorder), _intake("K6"), "scan-6")
        before = events(district)
        again = _run(other, Replies(other.recorder), _intake("K6"), "scan-6")
        assert again == (first[0], first[1], True)
        assert events(district) == before
    finally:
        other.close()


def test_aggregates_read_together_are_as_fresh_as_read_one_by_one(
        district: Gongxiao, store_env: dict[str, str]) -> None:
    zhang, missing = Farmer.create_id("zhang"), Farmer.create_id("nobody")
    assert district.repository.get(zhang).name == "张德明"  # now cached here
    other = Gongxiao(env=store_env)
    try:
        other.register_farmer(farmer_id="zhang", name="张德明(已改)", village="永安村")
        other.register_farmer(farmer_id="li", name="李四", village="金星村")
        found = district.repository.get_many([zhang, missing, Farmer.create_id("li")])
    finally:
        other.close()
    assert found[zhang].name == "张德明(已改)"
    assert found[missing] is None
    assert found[Farmer.create_id("li")].name == "李四"
    found[zhang].correct_details(name="changed in a copy", village="x", phone=None)
    assert district.repository.get(zhang).name == "张德明(已改)", "the cache was handed out"


def _fingerprint(command: BatchCreate) -> str:
    return fingerprint(command.route, command.fields())
