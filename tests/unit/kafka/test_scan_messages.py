"""What scan intake makes of one message, without a broker: recorded, or the rejection to send."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from kafka.consumer.fetcher import ConsumerRecord

from infra.application import StoredGongxiao
from infra.idempotency import Replies
from infra.settings import Topics
from tests.district import at, seed
from workers.scans import ScanIntake


def record(value: Any, offset: int = 7) -> ConsumerRecord:
    raw = value if isinstance(value, bytes | None) else json.dumps(value).encode()
    return ConsumerRecord(topic="gongxiao.scans", partition=1, leader_epoch=0, offset=offset,
                          timestamp=0, timestamp_type=0, key=b"yongan", value=raw, headers=[],
                          checksum=None, serialized_key_size=6, serialized_value_size=0,
                          serialized_header_size=0)


def unused() -> Any:
    raise AssertionError("taking one scan needs no Kafka client")


@pytest.fixture
def intake() -> ScanIntake:
    app = seed(StoredGongxiao())
    return ScanIntake(app=app, replies=Replies(app.recorder), topics=Topics(), consumer=unused,
                      producer=unused)


def batch_scan(scan_id: str = "s-1", **changes: Any) -> dict[str, Any]:
    body = {"batch_code": "B1", "site_id": "yongan", "farmer_id": "zhang", "sku": "jiuhuang",
            "harvested_at": at(0).isoformat(), "net_kg": 100.5, "scanned_at": at(0, 2).isoformat()}
    return {"scan_id": scan_id, "kind": "intake", "body": {**body, **changes}}


def test_a_scan_is_recorded_once_however_often_it_comes(intake: ScanIntake) -> None:
    assert intake.take(record(batch_scan())) is None
    count = intake.app.recorder.max_notification_id()
    assert intake.take(record(batch_scan())) is None
    assert intake.app.recorder.max_notification_id() == count
    assert intake.app.batch("B1").net_kg == Decimal("100.5")


def test_a_message_that_is_not_json_is_rejected_as_a_bad_request(intake: ScanIntake) -> None:
    rejection = intake.take(record(b"\xff{oops", offset=12))
    assert rejection is not None
    assert (rejection["scan_id"], rejection["status"]) == (None, 400)
    assert rejection["problem"]["title"] == "Malformed JSON"
    assert rejection["source"] == {"topic": "gongxiao.scans", "partition": 1, "offset": 12}


def test_a_scan_without_its_envelope_lists_what_is_missing(intake: ScanIntake) -> None:
    rejection = intake.take(record({"scan_id": "s-9", "body": {}}))
    assert rejection is not None and rejection["status"] == 422
    assert rejection["scan_id"] == "s-9"
    assert [e["field"] for e in rejection["problem"]["errors"]] == ["kind"]


def test_a_scan_the_post_would_refuse_is_rejected_with_the_same_problem(intake: ScanIntake) -> None:
    before = intake.app.recorder.max_notification_id()
    rejection = intake.take(record(batch_scan(farmer_id="nobody")))
    assert rejection is not None and rejection["status"] == 404
    assert "nobody" in rejection["problem"]["detail"]
    assert intake.app.recorder.max_notification_id() == before
