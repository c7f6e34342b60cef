"""The books: posting the vouchers of a log beside catching up the same log, and a trial
balance over the vouchers.

A PostgreSQL log of ≥ 1,000,000 events (quick: 20,000) is written by the bulk loader (gradings,
retail sales, payments and credit input sales: each posts a voucher); in the same run, the
books view is caught up from nothing (every voucher posted) beside the earnings view caught up
over the same events, and beside reading and decoding the log; then the trial balance of the
district over every voucher (the loader's days; every site is of no unit, so all post to the
district union's books) is timed, best of 3. Needs GONGXIAO_TEST_DATABASE_URL.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench._bulk import Loader, load
from bench._db import fresh_database, server_url
from bench.catchup import _read_all
from bench.figures import Figure
from domain.books import DEFAULT_CHART, DISTRICT_UNIT
from infra.settings import Settings
from infra.views import build_views

TRIAL_BALANCE_S = 1.0


def run(quick: bool) -> list[Figure]:
    with fresh_database(server_url("books"), "books") as url, \
            tempfile.TemporaryDirectory() as var:
        settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path(var))
        env = settings.event_store_env()
        events = load(env, 20_000 if quick else 1_000_000)
        app = Loader(env=env)
        views = build_views(settings)
        try:
            raw = events / _timed(lambda: _read_all(app))
            earnings = events / _timed(lambda: views.runner(app, names=["earnings"]).catch_up())
            books = events / _timed(lambda: views.runner(app, names=["books"]).catch_up())
            [counted] = views.db.fetch("SELECT COUNT(*) AS n, MIN(at_us) AS first, "
                                       "MAX(at_us) AS last FROM books_lines")
            days = (counted["last"] - counted["first"]) / 86_400e6
            chart = list(DEFAULT_CHART)
            balance = views.books.trial_balance(chart, DISTRICT_UNIT)
            if not balance["balanced"]:
                raise RuntimeError(f"the bench's books do not balance: {balance}")
            seconds = min(_timed(lambda: views.books.trial_balance(chart, DISTRICT_UNIT))
                          for _ in range(3))
            return [
                Figure(f"books catch-up, vouchers posted ({events} events)", books, "events/s",
                       "earnings catch-up, same events", earnings),
                Figure("books catch-up beside reading the log", books, "events/s",
                       "read + decode the log", raw),
                Figure(f"trial balance, {counted['n']} voucher lines over {days:.0f} days",
                       seconds, "s", "target", TRIAL_BALANCE_S, f"<= {TRIAL_BALANCE_S} s",
                       seconds <= TRIAL_BALANCE_S)]
        finally:
            views.close()
            app.close()


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
