"""Recalls at the scale of a province: opening and blocking, and the 24-hour spreadsheet.

The bulk loader writes 100,000 batches (quick: 2,000) packed into 10 packs each, 1,000,000
packs, shipped, delivered and sold; each of its 500 farmers' fertilizer lots reaches ~2,000
packs. In the same run: opening a recall of a random farmer's lot (the trace view's lineage,
then the use case that locates every pack in the stocks and shelves and blocks them) beside
the recall query of the same lots; then the spreadsheet of one lot (a batch) and of a 30-day
range of the product, each beside one plain SQL dump of the same rows. Needs
GONGXIAO_TEST_DATABASE_URL (``make bench`` sets it).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench._bulk import FARMERS, T0, load, lot_of
from bench._db import fresh_database, percentile, server_url
from bench.figures import Figure
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.spreadsheet import workbook
from infra.views import build_views, parallel
from projections.tables import us
from projections.trace.export import SHEETS

OPEN_P99_MS, LOT_S, RANGE_S = 500.0, 2.0, 30.0
SCALE = 1_000_000


def run(quick: bool) -> list[Figure]:
    cycles, opens = (2_000, 12) if quick else (100_000, 40)
    reuse = os.environ.get("BENCH_RECALL_DATABASE")
    with _database(reuse) as url, tempfile.TemporaryDirectory() as var:
        settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path(var))
        env = settings.event_store_env()
        if not reuse:
            load(env, cycles=cycles, packs=10)
        # Only the trace view: the lineage a recall opens on and the spreadsheet's rows are
        # its; the other six views (EPCIS, books…) would take hours at this size and are read
        # by neither (a kept database resumes where its trace view stopped).
        parallel.catch_up(settings, store_env=env, schema="public", names=["trace"],
                          processes=1)
        views, app = build_views(settings), StoredGongxiao(env=env)
        try:
            packs = int(views.db.fetch("SELECT COUNT(*) AS n FROM trace_packs")[0]["n"])
            lots = [lot_of(f"bulk-{f:04d}") for f in random.sample(range(FARMERS), opens + 3)]
            query = _timed(lots, lambda lot: views.trace.recall(input_lot=lot))
            reached = len(views.trace.recall(input_lot=lots[0])["packs"])

            def open_recall(lot: str) -> Any:
                scope = {"kind": "input_lot", "input_lot": lot}
                return app.open_recall(scope=scope, reason="bench", level=1, key=f"bench-{lot}",
                                       opened_at=app.now(), lineage=views.trace.lineage(scope))

            opened = _timed(lots, open_recall)
            batch = views.db.fetch("SELECT batch_code FROM trace_batches ORDER BY batch_code "
                                   "LIMIT 1 OFFSET ?", [cycles // 2])[0]["batch_code"]
            start = T0 + timedelta(days=3)
            end = start + timedelta(days=30 if not quick else 3)
            lot_s = _seconds(lambda: workbook(SHEETS, views.trace.export(lot=batch)))
            lot_sql = _seconds(lambda: _dump(views.db, "b.batch_code = ?", [batch]))
            range_s = _seconds(lambda: workbook(SHEETS, views.trace.export(
                sku="jiuhuang", start=start, end=end)))
            range_sql = _seconds(lambda: _dump(views.db, "b.sku = ? AND b.scanned_us BETWEEN ? "
                                               "AND ?", ["jiuhuang", us(start), us(end)]))
            rows = sum(map(len, views.trace.export(sku="jiuhuang", start=start, end=end).values()))
        finally:
            app.close()
            views.close()
    at_scale = packs >= SCALE
    scale = f"{packs:,} packs"

    def met(value: float, limit: float) -> bool | None:
        return value <= limit if at_scale else None

    days = (end - start).days
    return [
        Figure(f"open a recall of ~{reached} packs and block them p50 ({scale})",
               percentile(opened, 50), "ms", "recall query of the same lots p50",
               percentile(query, 50)),
        Figure(f"open a recall of ~{reached} packs and block them p99 ({scale})",
               percentile(opened, 99), "ms", "recall query of the same lots p99",
               percentile(query, 99), f"<= {OPEN_P99_MS:g} ms", met(percentile(opened, 99),
                                                                   OPEN_P99_MS)),
        Figure(f"spreadsheet of one lot, XLSX ({scale})", lot_s, "s",
               "plain SQL dump of the same rows", lot_sql, f"<= {LOT_S:g} s", met(lot_s, LOT_S)),
        Figure(f"spreadsheet of {days} days of one product, XLSX ({rows:,} rows)", range_s, "s",
               "plain SQL dump of the same rows", range_sql, f"<= {RANGE_S:g} s",
               met(range_s, RANGE_S) if days == 30 else None),
    ]


@contextmanager
def _database(reuse: str | None) -> Iterator[str]:
    """A fresh database, dropped afterwards; or, with BENCH_RECALL_KEEP=1, one kept (its URL
    printed) that a later run measures again without loading, given as
    BENCH_RECALL_DATABASE=URL (a measured run opens recalls in it: re-measure a copy, or accept
    lots drawn again at random)."""
    if reuse:
        yield reuse
        return
    base = server_url("recall")
    if os.environ.get("BENCH_RECALL_KEEP") != "1":
        with fresh_database(base, "recall") as url:
            yield url
        return
    name = f"gongxiao_bench_recall_kept_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = urlunsplit(urlsplit(base)._replace(path="/" + name))
    print(f"# recall: kept database {url}", flush=True)
    yield url


def _dump(db: Any, where: str, params: list[Any]) -> int:
    """The sheets' rows as three plain statements: batches, their runs' draws, their packs'
    shipments."""
    rows = db.fetch(f"SELECT b.* FROM trace_batches b WHERE {where}", params)
    rows += db.fetch("SELECT r.*, d.batch_code, d.g FROM trace_batches b JOIN trace_draws d ON "
                     f"d.batch_code = b.batch_code JOIN trace_runs r ON r.run_id = d.run_id "
                     f"WHERE {where}", params)
    rows += db.fetch("SELECT p.run_id, p.shipment_id, p.state, COUNT(*) AS n FROM trace_batches b "
                     "JOIN trace_draws d ON d.batch_code = b.batch_code JOIN trace_packs p ON "
                     f"p.run_id = d.run_id WHERE {where} GROUP BY p.run_id, p.shipment_id, p.state",
                     params)
    return len(rows)


def _timed(values: list[str], ask: Callable[[str], Any]) -> list[float]:
    for value in values[:3]:  # warm the connections, plans and the cached stock and shelves
        ask(value)
    latencies = []
    for value in values[3:]:
        started = time.perf_counter()
        assert ask(value)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _seconds(work: Callable[[], Any]) -> float:
    work()  # warm
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
