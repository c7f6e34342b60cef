"""Trace and recall at the scale of a province: ≥ 100,000 batches and ≥ 1,000,000 packs.

The bulk loader writes the events of 100,000 batches (quick: 2,000), each packed into 10
packs that are ordered, shipped, delivered and sold, and every farmer's fertilizer lot; the
views are caught up in two processes. Then, in the same run: the trace of random packs and
the recall of random farmers' lots and batches through the query layer, beside a primary-key
lookup of the same packs and one SQL statement that finds the same packs of a recall; and
the same traces and recalls over HTTP from ``gongxiao serve``, with its peak memory. Needs
GONGXIAO_TEST_DATABASE_URL (``make bench`` sets it).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench._bulk import FARMERS, load, lot_of
from bench._db import fresh_database, peak_rss_mb, percentile, server_url
from bench.figures import Figure
from bench.http import _server
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from infra.views import all_projections, build_views, parallel

TRACE_P99_MS, RECALL_P99_MS, RSS_MB = 20.0, 200.0, 300.0
SCALE = 1_000_000  # packs at which the targets hold
RECALL_SQL = ("SELECT p.pack_code, p.state FROM trace_applications a "
              "JOIN trace_batches b ON b.farmer_id = a.farmer_id AND b.sku = a.crop_sku "
              "AND b.harvested_us >= a.applied_us JOIN trace_draws d ON d.batch_code = b.batch_code "
              "JOIN trace_packs p ON p.run_id = d.run_id WHERE a.lot = ?")


def run(quick: bool) -> list[Figure]:
    cycles, traces, recalls = (2_000, 300, 40) if quick else (100_000, 3_000, 200)
    with fresh_database(server_url("trace"), "trace") as url, tempfile.TemporaryDirectory() as var:
        settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path(var))
        env = settings.event_store_env()
        load(env, cycles=cycles, packs=10)
        parallel.catch_up(settings, store_env=env, schema="public",
                          names=[p.name for p in all_projections()], processes=2)
        views = build_views(settings)
        try:
            count = views.db.fetch("SELECT (SELECT COUNT(*) FROM trace_packs) AS packs, "
                                   "(SELECT COUNT(*) FROM trace_batches) AS batches")[0]
            codes = _sample(views.db, "SELECT pack_code AS v FROM trace_packs", traces)
            batches = _sample(views.db, "SELECT batch_code AS v FROM trace_batches", recalls)
            lots = [lot_of(f"bulk-{random.randrange(FARMERS):04d}") for _ in range(recalls)]
            q = {"trace": _timed(codes, views.trace.trace),
                 "pk": _timed(codes, lambda c: views.db.fetch(
                     "SELECT * FROM trace_packs WHERE pack_code = ?", [c])),
                 "recall": _timed(lots, lambda lot: views.trace.recall(input_lot=lot)),
                 "recall_sql": _timed(lots, lambda lot: views.db.fetch(RECALL_SQL, [lot])),
                 "recall_batch": _timed(batches, lambda b: views.trace.recall(batch_code=b))}
            reached = sum(len(views.trace.recall(input_lot=lot)["packs"]) for lot in lots[:5]) / 5
        finally:
            views.close()
        app = StoredGongxiao(env=env)
        try:
            token = Tokens(app.recorder).issue(role="admin")
        finally:
            app.close()
        http = _over_http(url, Path(var), token, codes, lots)
    packs, scale = int(count["packs"]), f"{int(count['packs']):,} packs"
    at_scale = packs >= SCALE and int(count["batches"]) >= 100_000

    def met(value: float, limit: float) -> bool | None:
        return value <= limit if at_scale else None

    p = {k: (percentile(v, 50), percentile(v, 99)) for k, v in {**q, **http["ms"]}.items()}
    return [
        Figure(f"trace p50 ({scale})", p["trace"][0], "ms", "pack primary-key lookup p50",
               p["pk"][0]),
        Figure(f"trace p99 ({scale})", p["trace"][1], "ms", "pack primary-key lookup p99",
               p["pk"][1], f"<= {TRACE_P99_MS:g} ms", met(p["trace"][1], TRACE_P99_MS)),
        Figure(f"recall by input lot p50 (~{reached:.0f} packs)", p["recall"][0], "ms",
               "the same packs in one SQL p50", p["recall_sql"][0]),
        Figure(f"recall by input lot p99 (~{reached:.0f} packs)", p["recall"][1], "ms",
               "the same packs in one SQL p99", p["recall_sql"][1], f"<= {RECALL_P99_MS:g} ms",
               met(p["recall"][1], RECALL_P99_MS)),
        Figure("recall by batch code p99", p["recall_batch"][1], "ms",
               "pack primary-key lookup p99", p["pk"][1]),
        Figure("GET /v1/trace/{code} p99 over HTTP", p["http_trace"][1], "ms",
               "trace p99 in process", p["trace"][1]),
        Figure("GET /v1/recall?input_lot= p99 over HTTP", p["http_recall"][1], "ms",
               "recall p99 in process", p["recall"][1]),
        Figure(f"API peak RSS after those reads ({scale})", http["rss"], "MB",
               "this bench process peak RSS", peak_rss_mb(), f"<= {RSS_MB:g} MB",
               met(http["rss"], RSS_MB)),
    ]


def _sample(db: Any, sql: str, n: int) -> list[str]:
    """``n`` random values: from a 5 % sample of the table's pages, or the whole of a small one."""
    rows = db.fetch(f"{sql} TABLESAMPLE SYSTEM (5)")
    if len(rows) < n:
        rows = db.fetch(sql)
    return [r["v"] for r in random.sample(rows, min(n, len(rows)))]


def _timed(values: list[str], ask: Callable[[str], Any]) -> list[float]:
    for value in values[:20]:  # warm the connections and plans
        ask(value)
    latencies = []
    for value in values:
        started = time.perf_counter()
        assert ask(value)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _over_http(url: str, var: Path, token: str, codes: list[str],
               lots: list[str]) -> dict[str, Any]:
    server = _server(url, var)
    server.env["GONGXIAO_RATE_PER_ADDRESS"] = "1000000/minute"
    with server as address, httpx.Client(base_url=address, timeout=30) as http:
        def get(path: str, **headers: str) -> Any:
            answer = http.get(path, headers=headers)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
            return answer

        ms = {"http_trace": _timed(codes, lambda c: get(f"/v1/trace/{c}")),
              "http_recall": _timed(lots, lambda lot: get(f"/v1/recall?input_lot={lot}",
                                                          Authorization=f"Bearer {token}"))}
        rss = peak_rss_mb(server.process.pid)
    return {"ms": ms, "rss": rss}
