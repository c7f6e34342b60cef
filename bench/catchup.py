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
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from bench._bulk import Loader, load
from bench._db import fresh_database, server_url
from bench._workers import at_rest_mb, run_once, worker_env
from bench.figures import Figure
from infra.settings import Settings
from infra.views import ReadModels, build_views, parallel

TARGET = 20_000.0
PROCESSES = 2


def run(quick: bool) -> list[Figure]:
    with fresh_database(server_url("catchup"), "catchup") as url, \
            tempfile.TemporaryDirectory() as var:
        settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path(var))
        env = settings.event_store_env()
        events = load(env, 20_000 if quick else 1_000_000)
        app = Loader(env=env)
        views = build_views(settings)
        try:
            raw = events / _timed(lambda: _read_all(app))
            workers_env = worker_env(url, GONGXIAO_VAR_DIR=var)
            seconds, rss, _ = run_once("projections", "--once", env=workers_env)
            one = events / seconds
            _drop_views(url, views)
            many = events / _timed(lambda: parallel.catch_up(
                settings, store_env=env, schema="public", names=views.names,
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
                rate = events / _timed(lambda n=name: views.rebuild(app, n))  # type: ignore[misc]
                figures.append(Figure(f"rebuild and swap {name}", rate, "events/s",
                                      "read + decode the log", raw))
            return figures + _reconcile(workers_env, events, raw)
        finally:
            views.close()
            app.close()


def _read_all(app: Loader) -> None:
    position = 0
    while notes := app.recorder.select_notifications(start=position, limit=2000,
                                                     inclusive_of_start=False):
        for note in notes:
            app.mapper.to_domain_event(note)
        position = notes[-1].id


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


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
