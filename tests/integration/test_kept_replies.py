"""Kept replies ride in the transaction of their command's events, and a use case reads the
aggregates it needs in one query — on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contract.coldstore import BatchCreate
from domain.batch import Batch
from domain.errors import IdempotencyConflict, NotFound
from domain.farmer import Farmer
from infra.application import StoredGongxiao
from infra.commands import perform
from infra.idempotency import Replies, fingerprint, kept_at
from infra.recorders import REPLIES
from infra.sidetables import SideTables
from tests.district import at, events, seed

GATEWAY = "operator:yongan"


@pytest.fixture
def district(app: StoredGongxiao) -> StoredGongxiao:
    return seed(app)


def _intake(code: str, farmer: str = "zhang") -> BatchCreate:
    return BatchCreate.model_validate({
        "batch_code": code, "site_id": "yongan", "farmer_id": farmer, "sku": "jiuhuang",
        "harvested_at": at(0).isoformat(), "net_kg": 100.5, "scanned_at": at(0, 2).isoformat()})


def _run(app: StoredGongxiao, replies: Replies, command: BatchCreate, key: str) -> tuple[Any, ...]:
    return perform(app, command, caller=GATEWAY, key=key, replies=replies)


def test_a_keyed_command_is_recorded_with_its_reply_in_one_transaction(
        district: StoredGongxiao) -> None:
    replies = Replies(district.recorder)
    before = events(district)
    status, body, replayed = _run(district, replies, _intake("K1"), "scan-1")
    assert (status, body["batch_code"], replayed) == (201, "K1", False)
    assert events(district) == before + 1
    kept = replies.replay(caller=GATEWAY, key="scan-1", fingerprint=_fingerprint(_intake("K1")))
    assert kept is not None and kept.body == body


def test_the_same_command_again_answers_the_kept_reply_and_records_nothing(
        district: StoredGongxiao) -> None:
    replies = Replies(district.recorder)
    first = _run(district, replies, _intake("K2"), "scan-2")
    before = events(district)
    again = _run(district, replies, _intake("K2"), "scan-2")
    assert again == (first[0], first[1], True)
    assert events(district) == before


def test_another_command_under_a_kept_key_is_refused_and_none_of_its_events_written(
        district: StoredGongxiao) -> None:
    replies = Replies(district.recorder)
    _run(district, replies, _intake("K3"), "scan-3")
    before = events(district)
    with pytest.raises(IdempotencyConflict):
        _run(district, replies, _intake("K4"), "scan-3")
    assert events(district) == before
    assert district.find(Batch.create_id("K4")) is None


def test_a_refused_command_keeps_no_reply_so_its_key_can_be_used_again(
        district: StoredGongxiao) -> None:
    replies = Replies(district.recorder)
    with pytest.raises(NotFound):
        _run(district, replies, _intake("K5", farmer="nobody"), "scan-5")
    status, body, replayed = _run(district, replies, _intake("K5"), "scan-5")
    assert (status, body["batch_code"], replayed) == (201, "K5", False)


def test_a_second_process_repeating_a_key_answers_the_first_ones_reply(
        district: StoredGongxiao, store_env: dict[str, str]) -> None:
    other = StoredGongxiao(env=store_env)
    try:
        first = _run(district, Replies(district.recorder), _intake("K6"), "scan-6")
        before = events(district)
        again = _run(other, Replies(other.recorder), _intake("K6"), "scan-6")
        assert again == (first[0], first[1], True)
        assert events(district) == before
    finally:
        other.close()


def test_aggregates_read_together_are_as_fresh_as_read_one_by_one(
        district: StoredGongxiao, store_env: dict[str, str]) -> None:
    zhang, missing = Farmer.create_id("zhang"), Farmer.create_id("nobody")
    assert district.repository.get(zhang).name == "张德明"  # now cached here
    other = StoredGongxiao(env=store_env)
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


def test_replies_kept_before_a_moment_are_forgotten_and_later_ones_kept(
        district: StoredGongxiao) -> None:
    replies = Replies(district.recorder)
    for code in ("F1", "F2", "F3"):
        _run(district, replies, _intake(code), f"scan-{code}")
    _age(district, "scan-F1", "scan-F2", days=40)
    assert replies.forget(before=datetime.now(UTC) - timedelta(days=30)) == 2
    assert replies.replay(caller=GATEWAY, key="scan-F1", fingerprint=_fingerprint(_intake("F1"))) is None
    assert replies.replay(caller=GATEWAY, key="scan-F2", fingerprint=_fingerprint(_intake("F2"))) is None
    assert replies.replay(caller=GATEWAY, key="scan-F3", fingerprint=_fingerprint(_intake("F3"))) is not None


def test_a_backlog_of_replies_is_forgotten_in_batches_and_then_nothing_more(
        district: StoredGongxiao) -> None:
    replies = Replies(district.recorder)
    keys = [f"scan-G{n}" for n in range(5)]
    for n, key in enumerate(keys):
        _run(district, replies, _intake(f"G{n}"), key)
    _age(district, *keys, days=40)
    before = datetime.now(UTC) - timedelta(days=30)
    assert replies.forget(before=before, batch=2) == 5
    assert replies.forget(before=before, batch=2) == 0


def test_a_forgotten_intake_key_sent_again_answers_the_first_intake_and_records_nothing(
        district: StoredGongxiao) -> None:
    replies = Replies(district.recorder)
    first = _run(district, replies, _intake("F4"), "scan-F4")
    _age(district, "scan-F4", days=40)
    assert replies.forget(before=datetime.now(UTC) - timedelta(days=30)) == 1
    before = events(district)
    again = _run(district, replies, _intake("F4"), "scan-F4")
    assert again == (first[0], first[1], False)
    assert events(district) == before
    assert replies.replay(caller=GATEWAY, key="scan-F4", fingerprint=_fingerprint(_intake("F4"))) is not None


def test_another_command_under_a_forgotten_key_is_no_longer_refused_as_a_repeat(
        district: StoredGongxiao) -> None:
    replies = Replies(district.recorder)
    _run(district, replies, _intake("F5"), "scan-F5")
    _age(district, "scan-F5", days=40)
    replies.forget(before=datetime.now(UTC) - timedelta(days=30))
    status, body, replayed = _run(district, replies, _intake("F6"), "scan-F5")
    assert (status, body["batch_code"], replayed) == (201, "F6", False)
    assert district.find(Batch.create_id("F6")) is not None


def test_a_reply_kept_at_the_moment_itself_is_not_forgotten(district: StoredGongxiao) -> None:
    replies = Replies(district.recorder)
    _run(district, replies, _intake("F7"), "scan-F7")
    moment = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)  # a whole second: written without .000000
    _age(district, "scan-F7", at=moment)
    assert replies.forget(before=moment) == 0
    assert replies.forget(before=moment + timedelta(microseconds=1)) == 1


def _age(app: StoredGongxiao, *keys: str, days: float = 0, at: datetime | None = None) -> None:
    """Backdate kept replies, as if they had been kept ``days`` ago (or ``at`` a moment)."""
    db = SideTables(app.recorder)
    moment = kept_at(at or datetime.now(UTC) - timedelta(days=days))
    for key in keys:
        assert db.change(f"UPDATE {db.name(REPLIES)} SET kept_at = %s "
                         "WHERE idempotency_key = %s", (moment, key)) == 1


def _fingerprint(command: BatchCreate) -> str:
    return fingerprint(command.route, command.model_dump())
