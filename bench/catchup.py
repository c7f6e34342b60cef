"""Catch-up: how fast the views are rebuilt from the log, beside merely reading the log.

A PostgreSQL log of ≥ 1,000,000 events (quick: 20,000) is written by the bulk loader; then,
in the same run: the raw rate of reading and decoding the whole notification log; ``gongxiao
worker projections --once`` catching every view up from nothing in its own process (what a
new worker or a lost view does), with its peak memory; the same in two processes, a few
views each (``infra.views.parallel``); the rebuild of each view beside its live one; and the
scheduler's nightly reconciliation (``gongxiao worker scheduler --run reconcile``: every
view recomputed from the log and compared with the live one), with its peak memory. Each
worker's memory is set beside its code at rest (``bench._workers``). Needs
GONGXIAO_TEST_DATABASE_URL (``make bench`` sets it).
"""

from __future__ import annotations

import json

import psycopg

from bench._log import bulk_log, timed
from bench._workers import at_rest_mb, run_once, worker_env
from bench.figures import Figure
from infra.views import ReadModels, parallel

TARGET = 20_000.0
PROCESSES = 2


def run(quick: bool) -> list[Figure]:
    with bulk_log("catchup", quick) as log:
        events, views = log.events, log.views
        raw = log.read_rate()
        workers_env = worker_env(log.url, GONGXIAO_VAR_DIR=log.var)
        seconds, rss, _ = run_once("projections", "--once", env=workers_env)
        one = events / seconds
        _drop_views(log.url, views)
        many = events / timed(lambda: parallel.catch_up(
            log.settings, store_env=log.env, schema="public", names=views.names,
            processes=PROCESSES))
        every = f"all {len(views.names)} views"  # as many as the registry builds
        figures = [
            Figure(f"catch-up, {every}, 1 process ({events} events)", one, "events/s",
                   "read + decode the log", raw, f">= {TARGET:.0f}/s", one >= TARGET),
            Figure(f"catch-up, {every}, {PROCESSES} processes", many, "events/s",
                   "read + decode the log", raw, f">= {TARGET:.0f}/s", many >= TARGET),
            Figure("projections worker peak RSS (catch-up)", rss, "MB",
                   "workers.projections imported, at rest", at_rest_mb("projections"))]
        for name in views.names:
            rate = events / timed(lambda n=name: views.rebuild(log.app, n))  # type: ignore[misc]
            figures.append(Figure(f"rebuild and swap {name}", rate, "events/s",
                                  "read + decode the log", raw))
        return figures + _reconcile(workers_env, events, raw)


def _reconcile(env: dict[str, str], events: int, raw: float) -> list[Figure]:
    """``gongxiao worker scheduler --run reconcile`` on views just rebuilt: none may drift."""
    seconds, rss, printed = run_once("scheduler", "--run", "reconcile", env=env)
    reconciled = json.loads(printed)
    if drifted := [r["projection"] for r in reconciled if r["drift"]]:
        raise RuntimeError(f"reconcile found drift in views just rebuilt: {drifted}")
    views = len({r["projection"] for r in reconciled})  # those the scheduler compared
    return [Figure(f"scheduler reconcile, {views} views (start included)", events / seconds,
                   "events/s", "read + decode the log", raw),
            Figure("scheduler peak RSS (reconcile)", rss, "MB",
                   "workers.scheduler imported, at rest", at_rest_mb("scheduler"))]


def _drop_views(url: str, views: ReadModels) -> None:
    """Back to no view at all, for the next catch-up from nothing."""
    with psycopg.connect(url, autocommit=True) as conn:
        for projection in views.projections.values():
            for table in projection.tables:
                conn.execute(f"DROP TABLE {table.name}")
        conn.execute("DELETE FROM projection_tracking WHERE name = ANY(%s)", (views.names,))
