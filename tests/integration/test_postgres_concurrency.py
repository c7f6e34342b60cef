"""Many clerks reserving the last packs at once on PostgreSQL: never over-reserved, nothing lost."""

from __future__ import annotations

import threading
from typing import Any

from domain.stock import StockShort
from infra.application import StoredGongxiao
from tests.district import at, graded, packs, seed

CLERKS = 12
PACKS = 5


def test_concurrent_orders_never_over_reserve_and_the_log_has_no_gaps(pg_env: dict) -> None:
    setup = seed(StoredGongxiao(env=pg_env))
    graded(setup, "B1")
    made = set(packs(setup, PACKS))
    # Two application instances stand for two API processes sharing the database.
    apps = [StoredGongxiao(env=pg_env), StoredGongxiao(env=pg_env)]
    start = threading.Barrier(CLERKS)
    results: list[Any] = [None] * CLERKS

    def clerk(i: int) -> None:
        start.wait()
        try:
            results[i] = apps[i % 2].place_order(
                outlet_id="out-a" if i % 2 else "out-b", placed_at=at(0, 5), key=f"clerk-{i}",
                lines=[{"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 1}])
        except StockShort as refused:
            results[i] = refused

    tailed: list[int] = []
    done = threading.Event()

    def tail() -> None:
        # A log reader following the log while the clerks write must never skip an event.
        while True:
            finished = done.is_set()
            start_at = tailed[-1] + 1 if tailed else 1
            tailed.extend(n.id for n in setup.recorder.select_notifications(start=start_at, limit=100))
            if finished:
                return

    reader = threading.Thread(target=tail)
    reader.start()
    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(CLERKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    done.set()
    reader.join(timeout=60)

    accepted = [r for r in results if isinstance(r, dict)]
    assert len(accepted) == PACKS
    assert sum(isinstance(r, StockShort) for r in results) == CLERKS - PACKS
    reserved = [c for r in accepted for c in r["lines"][0]["reserved_pack_codes"]]
    assert sorted(reserved) == sorted(made)  # every pack promised exactly once

    log = list(setup.recorder.select_notifications(start=1, limit=10_000))
    # Ids rise strictly (a refused write may burn a sequence number), the tailing reader saw
    # every one of them, and each aggregate's versions run on without a hole.
    ids = [n.id for n in log]
    assert ids == sorted(set(ids)) and tailed == ids
    versions_of: dict[Any, list[int]] = {}
    for n in log:
        versions_of.setdefault(n.originator_id, []).append(n.originator_version)
    assert all(v == list(range(1, len(v) + 1)) for v in versions_of.values())
    placed = {n.originator_id for n in log if n.topic == "gongxiao:Order.Placed"}
    assert placed == {setup.order(r["order_id"]).id for r in accepted}
    assert sum(n.topic == "gongxiao:Stock.Reserved" for n in log) == PACKS
    for application in [setup, *apps]:
        application.close()
