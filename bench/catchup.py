"""Catch-up: how fast the views are rebuilt from the log, beside merely reading the log.

A PostgreSQL log of ≥ 1,000,000 events (quick: 20,000) is written by the bulk loader; then,
in the same run: the raw rate of reading and decoding the whole notification log; one runner
catching every view up from nothing (what a new worker or a lost view does); and the rebuild
of each view beside its live one. Needs GONGXIAO_TEST_DATABASE_URL (``make bench`` sets it).
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import psycopg

from bench._bulk import Loader, load
from bench.figures import Figure
from infra.settings import Settings
from infra.views import build_views

TARGET = 20_000.0


def run(quick: bool) -> list[Figure]:
    url = os.environ.get("GONGXIAO_TEST_DATABASE_URL") or os.environ.get("GONGXIAO_DATABASE_URL")
    if not url:
        raise SystemExit("bench.catchup needs PostgreSQL: set GONGXIAO_TEST_DATABASE_URL")
    schema = f"bench_catchup_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path("var"))
    env = {**settings.event_store_env(), "POSTGRES_SCHEMA": schema}
    try:
        events = load(env, 20_000 if quick else 1_000_000)
        app = Loader(env=env)
        views = build_views(settings, schema=schema)
        try:
            raw = events / _timed(lambda: _read_all(app))
            rate = events / _timed(lambda: views.runner(app).catch_up())
            figures = [Figure(f"catch-up, all 4 views ({events} events)", rate, "events/s",
                              "read + decode the log", raw, f">= {TARGET:.0f}/s", rate >= TARGET)]
            for name in views.names:
                rate = events / _timed(lambda n=name: views.rebuild(app, n))  # type: ignore[misc]
                figures.append(Figure(f"rebuild and swap {name}", rate, "events/s",
                                      "read + decode the log", raw))
            return figures
        finally:
            views.close()
            app.close()
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _read_all(app: Loader) -> None:
    position = 0
    while notes := app.recorder.select_notifications(start=position, limit=2000,
                                                     inclusive_of_start=False):
        for note in notes:
            app.mapper.to_domain_event(note)
        position = notes[-1].id


def _timed(work: object) -> float:
    started = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - started
