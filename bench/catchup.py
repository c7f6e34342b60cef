"""Catch-up: how fast the views are rebuilt from the log, beside merely reading the log.

A PostgreSQL log of ≥ 1,000,000 events (quick: 20,000) is written by the bulk loader; then,
in the same run: the raw rate of reading and decoding the whole notification log; ``gongxiao
worker projections --once`` catching every view up from nothing in its own process (what a
new worker or a lost view does), with its peak memory; the same in two processes, a few
views each (``infra.views.parallel``); and the rebuild of each view beside its live one.
Needs GONGXIAO_TEST_DATABASE_URL (``make bench`` sets it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from bench._bulk import Loader, load
from bench._db import fresh_database, peak_rss_mb, server_url
from bench.figures import Figure
from infra.settings import Settings
from infra.views import Views, build_views, parallel

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
            seconds, rss = _worker_once(url, Path(var))
            one = events / seconds
            _drop_views(url, views)
            many = events / _timed(lambda: parallel.catch_up(
                settings, store_env=env, schema="public", names=views.names,
                processes=PROCESSES))
            figures = [
                Figure(f"catch-up, all 4 views, 1 process ({events} events)", one, "events/s",
                       "read + decode the log", raw, f">= {TARGET:.0f}/s", one >= TARGET),
                Figure(f"catch-up, all 4 views, {PROCESSES} processes", many, "events/s",
                       "read + decode the log", raw, f">= {TARGET:.0f}/s", many >= TARGET),
                Figure("projections worker peak RSS (catch-up)", rss, "MB",
                       "bench process peak RSS", peak_rss_mb())]
            for name in views.names:
                rate = events / _timed(lambda n=name: views.rebuild(app, n))  # type: ignore[misc]
                figures.append(Figure(f"rebuild and swap {name}", rate, "events/s",
                                      "read + decode the log", raw))
            return figures
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


def _worker_once(url: str, var: Path) -> tuple[float, float]:
    """``gongxiao worker projections --once`` on the store: seconds (process start included)
    and its peak resident memory in MB."""
    env = {**os.environ, "GONGXIAO_DATABASE_URL": url, "GONGXIAO_VAR_DIR": str(var)}
    env.pop("GONGXIAO_KAFKA_BOOTSTRAP", None)
    command = [sys.executable, "-c", "from api.cli import main; raise SystemExit(main())",
               "worker", "projections", "--once"]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    peak = [0.0]

    def watch() -> None:
        while process.poll() is None:
            try:
                peak[0] = max(peak[0], peak_rss_mb(process.pid))
            except (FileNotFoundError, ProcessLookupError, StopIteration):
                return
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    if process.wait() != 0:
        raise RuntimeError("gongxiao worker projections --once failed")
    seconds = time.perf_counter() - started
    watcher.join()
    return seconds, peak[0]


def _drop_views(url: str, views: Views) -> None:
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
