"""A write that fails in the middle of its pipeline (a taken Idempotency-Key, another writer
first) leaves its connection fit for the next write: psycopg must not believe it prepared a
statement the failed pipeline never reached."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from contract.coldstore import BatchCreate
from infra.application import StoredGongxiao
from infra.commands import perform
from infra.idempotency import Replies
from tests.district import at, seed

pytestmark = pytest.mark.postgres
ROUNDS, COPIES, PROCESSES = 6, 8, 4
WAIT_S = 60
GATEWAY = "operator:yongan"


def test_copies_of_a_scan_racing_in_fresh_processes_are_all_answered(
        pg_env: dict[str, str]) -> None:
    seed(StoredGongxiao(env=pg_env)).close()
    for n in range(ROUNDS):
        # Fresh processes of one connection each, which has written five times: psycopg
        # prepares on the sixth what it ran five times, and the sixth write of all but one
        # is a copy that fails because another process's copy took the key first.
        env = {**pg_env, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}
        apps = [StoredGongxiao(env=env) for _ in range(PROCESSES)]
        try:
            for i, app in enumerate(apps):
                for k in range(5):
                    perform(app, _intake(f"W{n}-{i}-{k}"), caller=GATEWAY, key=None)
            answers = _race(apps, [Replies(app.recorder) for app in apps], _intake(f"R{n}"),
                            key=f"scan-{n}")
            assert len(answers) == COPIES, f"round {n}: some copies did not answer in time"
            refused = [a for a in answers if isinstance(a, Exception)]
            assert refused == [], f"round {n}: {refused[0]!r}"
            assert {a[0] for a in answers} == {201}
            assert len({a[1]["batch_code"] for a in answers}) == 1
            for i, app in enumerate(apps):  # and each process goes on recording
                assert perform(app, _intake(f"A{n}-{i}"), caller=GATEWAY, key=None)[0] == 201
        finally:
            for app in apps:
                app.close()


def _race(apps: list[StoredGongxiao], replies: list[Replies], command: BatchCreate, *,
          key: str) -> list[Any]:
    start = threading.Barrier(COPIES)
    answers: list[Any] = []

    def copy(i: int) -> None:
        start.wait()
        try:
            answers.append(perform(apps[i % PROCESSES], command, caller=GATEWAY, key=key,
                                   replies=replies[i % PROCESSES]))
        except Exception as error:
            answers.append(error)

    threads = [threading.Thread(target=copy, args=(i,), daemon=True) for i in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    return answers


def _intake(code: str) -> BatchCreate:
    return BatchCreate.model_validate({
        "batch_code": code, "site_id": "yongan", "farmer_id": "zhang", "sku": "jiuhuang",
        "harvested_at": at(0).isoformat(), "net_kg": 100.5, "scanned_at": at(0, 2).isoformat()})
