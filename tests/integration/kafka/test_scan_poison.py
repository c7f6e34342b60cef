"""Scan intake against anything a message can hold: each poison ends on the rejected topic
with its reason, the worker keeps running, and the good scans behind the poison are recorded.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import DataError, OperationalError
from kafka import KafkaProducer

from domain.application import Gongxiao
from domain.batch import Batch
from infra.event_json import dumps
from infra.settings import Topics
from tests.district import seed
from tests.integration.kafka.conftest import read_topic, wait_for
from tests.integration.kafka.test_scans import intake_body, scan
from workers.scans import ScanIntake

DEEP = 100_000


def _json(value: Any) -> bytes:
    return dumps(value).encode()


def _scan_text(scan_id: str, kind: str, body: str) -> bytes:
    return f'{{"scan_id":"{scan_id}","kind":"{kind}","body":{body}}}'.encode()


ODD_HEADERS = [("", b""), ("\u202e", b"\xff\x00"), ("x" * 1000, b""), ("dup", b"1"), ("dup", b"2")]
POISONS: dict[str, tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]] = {
    # name: (key, value, headers)
    "not JSON": (b"yongan", b"{not json", []),
    "not UTF-8": (b"yongan", b'{"scan_id": "\xff\xfe", "kind": "intake", "body": {}}', []),
    "nested 100,000 deep": (b"yongan", b"[" * DEEP + b"]" * DEEP, []),
    "a body nested 100,000 deep": (b"yongan", _scan_text("p-deep", "intake",
                                                         '{"a":' * DEEP + "1" + "}" * DEEP), []),
    "nested just under the recursion limit": (b"yongan", _scan_text(
        "p-990", "intake", "[" * 990 + "]" * 990), []),
    "huge": (b"yongan", _json(scan("p-huge", "intake", {**intake_body("HUGE"),
                                                         "farmer_id": "z" * 900_000})), []),
    "a huge scan id": (b"yongan", _json(scan("s" * 900_000, "intake", intake_body("HUGE2"))), []),
    "a huge unknown kind": (b"yongan", _json(scan("p-kind", "k" * 900_000, {})), []),
    "a JSON array": (b"yongan", b"[1, 2]", []),
    "a JSON number": (b"yongan", b"42", []),
    "a JSON string": (b"yongan", b'"scan"', []),
    "JSON null": (b"yongan", b"null", []),
    "a tombstone": (b"yongan", None, []),
    "an empty value": (b"yongan", b"", []),
    "a number of 100,000 digits": (b"yongan", _scan_text("p-digits", "intake",
                                                         '{"net_kg":' + "9" * DEEP + "}"), []),
    "no scan_id": (b"yongan", _json({"kind": "intake", "body": intake_body("NOID")}), []),
    "a numeric scan_id": (b"yongan", _json({"scan_id": 7, "kind": "intake",
                                            "body": intake_body("NUMID")}), []),
    "an empty scan_id": (b"yongan", _json(scan("", "intake", intake_body("EMPTYID"))), []),
    "a lone surrogate in the scan_id": (b"yongan", _scan_text("p-\\ud800", "intake", "{}"), []),
    "a NUL in the scan_id": (b"yongan", _scan_text("p-\\u0000", "intake", "{}"), []),
    "NUL bytes": (b"yongan", b"\x00\x00\x00", []),
    "an unknown kind": (b"yongan", _json(scan("p-kind2", "weighing", {})), []),
    "a kind that is an object": (b"yongan", _json({"scan_id": "p-kind3", "kind": {"a": 1},
                                                   "body": {}}), []),
    "a body that is a list": (b"yongan", _json(scan("p-list", "intake", [1]))  # type: ignore[arg-type]
                              , []),
    "a body that is a string": (b"yongan", _json({"scan_id": "p-str", "kind": "intake",
                                                  "body": "B1"}), []),
    "a body that is null": (b"yongan", _json({"scan_id": "p-null", "kind": "intake",
                                              "body": None}), []),
    "a NUL in a body field": (b"yongan", _json(scan("p-nul", "intake", {
        **intake_body("NUL"), "farmer_id": "zhang\u0000"})), []),
    "not JSON, with a key that is not UTF-8": (b"\xff\xfe\x00", b"{", []),
    "not JSON, with no key": (None, b"{", []),
    "not JSON, with odd headers": (b"yongan", b"{", ODD_HEADERS),
}
# Good scans are recorded whatever their key and headers.
GOOD_KEYS: list[tuple[bytes | None, list[tuple[str, bytes]]]] = [
    (b"\xff\xfe\x00", []), (None, []), (b"yongan", ODD_HEADERS)] + [(b"yongan", [])] * 17


@pytest.mark.postgres
def test_every_poison_scan_is_rejected_with_its_reason_and_the_scans_behind_it_are_recorded(
        pg_app: Gongxiao, kafka_bootstrap: str, scan_topics: Topics, run_id: str,
        spawn: Callable[..., subprocess.Popen[bytes]], tmp_path: Path) -> None:
    seed(pg_app)
    log = tmp_path / "scans.log"
    worker = spawn("scans", "--topic", scan_topics.scans, "--rejected-topic", scan_topics.rejected,
                   "--group", f"poison-{run_id}", log=log)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, max_request_size=2 * 1024 * 1024)
    try:
        sent = {name: producer.send(scan_topics.scans, key=key, value=value, headers=headers)
                for name, (key, value, headers) in POISONS.items()}
        good = [f"G{i}" for i in range(len(GOOD_KEYS))]
        for code, (key, headers) in zip(good, GOOD_KEYS, strict=True):
            producer.send(scan_topics.scans, key=key, headers=headers,
                          value=_json(scan(f"g-{code}", "intake", intake_body(code))))
        producer.flush(timeout=30)
        poisons = {(m.partition, m.offset): name for name, f in sent.items()
                   for m in [f.get(timeout=30)]}
    finally:
        producer.close(timeout=10)

    def recorded() -> bool:
        assert worker.poll() is None, f"the worker stopped: {log.read_text()[-3000:]}"
        return all(pg_app.find(Batch.create_id(code)) is not None for code in good)

    wait_for(recorded, "the 20 good scans behind the poisons to be recorded")

    def rejected() -> dict[tuple[int, int], dict[str, Any]]:
        answers = {(r.value["source"]["partition"], r.value["source"]["offset"]): r.value
                   for r in read_topic(kafka_bootstrap, scan_topics.rejected)}
        return answers if set(poisons) <= set(answers) else {}

    answers = wait_for(rejected, "every poison on the rejected topic")
    for source, name in poisons.items():
        answer = answers[source]
        assert 400 <= answer["status"] < 600, name
        assert answer["problem"]["status"] == answer["status"], name
        assert answer["problem"]["title"] and answer["problem"]["detail"], name
        assert len(dumps(answer)) < 20_000, f"{name}: the rejection is bounded"
    assert worker.poll() is None, f"the worker stopped: {log.read_text()[-3000:]}"


@pytest.mark.postgres
def test_a_scan_that_fails_inside_is_rejected_as_ours_and_one_the_store_cannot_take_now_waits(
        running_intake: ScanIntake, pg_app: Gongxiao, kafka_bootstrap: str, scan_topics: Topics,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    receive, tries = pg_app.receive_batch, {"FLAKY": 0}

    def failing(**fields: Any) -> Any:
        code = fields["batch_code"]
        if code == "BUG":
            raise KeyError("a bug in a use case")
        if code == "UNSTORABLE":  # as PostgreSQL refuses a NUL in text: the same every time
            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        if code == "FLAKY" and tries["FLAKY"] < 2:
            tries["FLAKY"] += 1
            raise OperationalError("the connection is lost")
        return receive(**fields)

    monkeypatch.setattr(pg_app, "receive_batch", failing)
    codes = ["BUG", "UNSTORABLE", "FLAKY"] + [f"G{i}" for i in range(20)]
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    try:
        for code in codes:
            producer.send(scan_topics.scans, key=b"yongan",
                          value=_json(scan(f"s-{code}", "intake", intake_body(code))))
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)

    wait_for(lambda: all(pg_app.find(Batch.create_id(c)) for c in codes[2:]),
             "the flaky scan and the 20 behind the failing ones to be recorded")
    rejected = wait_for(lambda: len(found := [r.value for r in read_topic(
        kafka_bootstrap, scan_topics.rejected)]) >= 2 and found, "two rejections")
    assert sorted((r["scan_id"], r["status"]) for r in rejected) == [
        ("s-BUG", 500), ("s-UNSTORABLE", 500)]
    assert "NUL" in next(r for r in rejected if r["scan_id"] == "s-UNSTORABLE")["problem"]["detail"]
    assert tries["FLAKY"] == 2 and running_intake.recorded == 21
    assert any(r.exc_info and "a bug in a use case" in str(r.exc_info[1]) for r in caplog.records)
