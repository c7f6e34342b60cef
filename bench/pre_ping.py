"""What checking each pooled connection as it leaves the pool would cost an event-store read.

Our recorders check nothing on the way out: a connection that broke in use is replaced, with
the rest of the pool, and its statement tried once more (``infra.store_retries``). The
library's ``POSTGRES_PRE_PING`` would instead send an empty query before every statement. The
same small read (an aggregate's events, as every command and page makes) through both stores,
in turn, best of five rounds. Needs GONGXIAO_TEST_DATABASE_URL (``make bench`` sets it).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from eventsourcing.persistence import ApplicationRecorder

from bench._db import fresh_database, server_url
from bench.figures import Figure
from infra.recorders import PostgresStore
from infra.settings import Settings


def run(quick: bool) -> list[Figure]:
    reads = 200 if quick else 2000
    with fresh_database(server_url("pre_ping"), "pre_ping") as url:
        env = {**Settings(database_url=url, kafka_bootstrap=None,
                          var_dir=Path("var")).event_store_env(), "CREATE_TABLE": "y"}
        stores = {"ours": PostgresStore(env),
                  "pre_ping": PostgresStore({**env, "POSTGRES_PRE_PING": "y"})}
        try:
            best = _best_read_us({name: store.application_recorder()
                                  for name, store in stores.items()}, reads)
        finally:
            for store in stores.values():
                store.close()
    return [Figure("event store read, no check on checkout", best["ours"], "µs",
                   "same read with POSTGRES_PRE_PING", best["pre_ping"],
                   target="< baseline", met=best["ours"] < best["pre_ping"])]


def _best_read_us(recorders: dict[str, ApplicationRecorder], reads: int) -> dict[str, float]:
    aggregate = uuid.uuid4()
    best = dict.fromkeys(recorders, float("inf"))
    for _ in range(5):
        for name, recorder in recorders.items():
            started = time.perf_counter()
            for _ in range(reads):
                recorder.select_events(aggregate)
            best[name] = min(best[name], (time.perf_counter() - started) / reads * 1e6)
    return best
