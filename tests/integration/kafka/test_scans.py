"""Scan intake on the real broker: a duplicate scan records once, each bad one is rejected with
the problem the API would answer, and the partition keeps moving past all of them."""

from __future__ import annotations

from typing import Any

import pytest
from kafka import KafkaAdminClient

from domain.batch import Batch
from infra.application import StoredGongxiao
from infra.kafka_clients import reliable_producer
from infra.settings import Topics
from tests.district import at
from tests.integration.kafka.conftest import read_topic, running_scans, wait_for
from tests.outages import Switch
from workers.scans import ScanIntake


def intake_body(code: str, net_kg: Any = 100) -> dict[str, Any]:
    return {"batch_code": code, "site_id": "yongan", "farmer_id": "zhang", "sku": "jiuhuang",
            "harvested_at": at(0).isoformat(), "net_kg": net_kg, "scanned_at": at(0, 2).isoformat()}


def scan(scan_id: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"scan_id": scan_id, "kind": kind, "body": body}


def publish(bootstrap: str, topic: str, messages: list[Any]) -> None:
    """One site's scans: one key, so one partition, in this order."""
    producer = reliable_producer(bootstrap, client_id="test-gateway")
    try:
        for message in messages:
            producer.send(topic, key="yongan", value=message)
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)


def committed(bootstrap: str, group: str, topic: str) -> int:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        offsets = admin.list_group_offsets(group)[group]
    finally:
        admin.close()
    return sum(o.offset for tp, o in offsets.items() if tp.topic == topic and o.offset > 0)


def test_duplicate_and_malformed_scans_record_once_reject_each_and_keep_moving(
        running_intake: ScanIntake, pg_app: StoredGongxiao, kafka_bootstrap: str,
        scan_topics: Topics, run_id: str) -> None:
    grading = {"batch_code": "B1", "graded_at": at(0, 3).isoformat(), "grades": {"A": 60, "B": 30},
               "reject_kg": 5}
    messages: list[Any] = [
        scan("s-1", "intake", intake_body("B1")),
        scan("s-1", "intake", intake_body("B1")),                      # the same scan again
        b"{not json",                                                  # poison
        None,                                                          # a tombstone
        b"[1, 2]",                                                     # JSON, not a scan
        scan("s-2", "weighing", {}),                                   # unknown kind
        scan("s-3", "intake", intake_body("B2", net_kg="lots")),       # the POST would refuse it
        scan("s-4", "grading", {**grading, "grades": {"A": 99}}),      # breaks mass balance
        scan("s-5", "grading", grading),
        scan("s-1", "intake", intake_body("B1", net_kg=101)),         # a key reused for another scan
        scan("s-6", "packing", {"site_id": "yongan", "sku": "jiuhuang", "grade": "A",
                                "pack_kg": 0.5, "count": 4, "packed_at": at(0, 4).isoformat()}),
    ]
    before = pg_app.recorder.max_notification_id() or 0
    publish(kafka_bootstrap, scan_topics.scans, messages)

    wait_for(lambda: committed(kafka_bootstrap, f"scans-{run_id}", scan_topics.scans) == len(messages),
             "every scan to be taken and its offset committed")
    rejected = [r.value for r in read_topic(kafka_bootstrap, scan_topics.rejected)]
    assert [(r["scan_id"], r["status"]) for r in rejected] == [
        (None, 400), (None, 400), (None, 422), ("s-2", 422), ("s-3", 422), ("s-4", 422),
        ("s-1", 409)]
    assert all(r["problem"]["status"] == r["status"] and r["problem"]["detail"] for r in rejected)
    assert rejected[4]["problem"]["errors"][0]["field"] == "net_kg"
    assert rejected[2]["source"]["offset"] == 4

    topics = [n.topic.split(":")[1] for n in pg_app.recorder.select_notifications(
        start=before, limit=100, inclusive_of_start=False)]
    assert topics.count("Batch.Received") == 1 and topics.count("Batch.Graded") == 1
    assert topics.count("Stock.Packed") == 1
    assert pg_app.batch("B1").net_kg == 100
    assert running_intake.recorded == 4 and running_intake.rejected == 7


def test_a_scan_offset_is_committed_only_after_its_events_are_stored(
        running_intake: ScanIntake, pg_app: StoredGongxiao, kafka_bootstrap: str,
        scan_topics: Topics, run_id: str) -> None:
    publish(kafka_bootstrap, scan_topics.scans,
            [scan(f"s-{i}", "intake", intake_body(f"B{i}")) for i in range(30)])
    group = f"scans-{run_id}"
    seen = []

    def stored_covers_committed() -> bool:
        done = committed(kafka_bootstrap, group, scan_topics.scans)  # read first, then the store
        stored = sum(1 for i in range(30) if pg_app.find(Batch.create_id(f"B{i}")) is not None)
        seen.append((done, stored))
        return done == 30

    wait_for(stored_covers_committed, "all 30 scans to be committed", every_s=0.01)
    assert all(stored >= done for done, stored in seen), seen


def test_the_scan_intake_pauses_while_its_database_never_answers_and_resumes_losing_nothing(
        pg_env: dict[str, str], postgres_url: str, kafka_bootstrap: str, scan_topics: Topics,
        run_id: str, caplog: pytest.LogCaptureFixture) -> None:
    switch = Switch(postgres_url)
    app = StoredGongxiao(env={**pg_env, "POSTGRES_PORT": switch.url.rsplit(":", 1)[1].split("/")[0]})
    producer = reliable_producer(kafka_bootstrap, client_id="test-gateway")

    def send(codes: range) -> None:
        for i in codes:
            producer.send(scan_topics.scans, key="yongan",
                          value=scan(f"s-{i}", "intake", intake_body(f"B{i}")))
        producer.flush(timeout=30)
    try:
        with running_scans(app, kafka_bootstrap, scan_topics, run_id) as intake:
            send(range(5))
            wait_for(lambda: intake.recorded == 5, "the first 5 scans to be recorded")
            switch.hang()
            send(range(5, 10))
            wait_for(lambda: "scan intake paused" in caplog.text, "the scan intake to pause")
            assert intake.recorded == 5
            switch.forward()
            wait_for(lambda: intake.recorded == 10, "the scans held back to be recorded")
        assert committed(kafka_bootstrap, f"scans-{run_id}", scan_topics.scans) == 10
        assert all(app.find(Batch.create_id(f"B{i}")) is not None for i in range(10))
    finally:
        producer.close(timeout=10)
        app.close()
        switch.close()


def test_scans_taken_side_by_side_keep_each_batch_in_order_and_packing_after_all_before_it(
        running_intake: ScanIntake, pg_app: StoredGongxiao, kafka_bootstrap: str,
        scan_topics: Topics, run_id: str) -> None:
    grading = {"graded_at": at(0, 3).isoformat(), "grades": {"A": 60, "B": 30}, "reject_kg": 5}
    messages = [scan("s-i0", "intake", intake_body("P0"))]
    for i in range(1, 30):  # intake of one batch, then the grading of the one before
        messages += [scan(f"s-i{i}", "intake", intake_body(f"P{i}")),
                     scan(f"s-g{i - 1}", "grading", {**grading, "batch_code": f"P{i - 1}"})]
    messages += [scan("s-g29", "grading", {**grading, "batch_code": "P29"}),
                 # 1,770 kg of grade A: more than 29 batches hold, so after all 30 gradings
                 scan("s-pack", "packing", {"site_id": "yongan", "sku": "jiuhuang", "grade": "A",
                                            "pack_kg": 59, "count": 30,
                                            "packed_at": at(0, 4).isoformat()})]
    publish(kafka_bootstrap, scan_topics.scans, messages)

    wait_for(lambda: committed(kafka_bootstrap, f"scans-{run_id}", scan_topics.scans) == len(messages),
             "every scan to be taken")
    assert read_topic(kafka_bootstrap, scan_topics.rejected) == []
    assert running_intake.recorded == len(messages)
