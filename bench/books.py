"""The books: posting the vouchers of a log beside catching up the same log, and a trial
balance over a year of vouchers.

A PostgreSQL log of ≥ 1,000,000 events (quick: 20,000) is written by the bulk loader (gradings,
retail sales, payments and credit input sales: each posts a voucher), one cycle every
18 minutes so a million events span more than a year; in the same run, the books view is
caught up from nothing (every voucher posted) beside the earnings view caught up over the same
events, and beside reading and decoding the log. Then the district's trial balance (every site
is of no unit, so all post to the district union's books) is timed, best of 3: over a year
whose bounds fall inside days (the daily balances of the days between, and the lines of the
two bound days), and over every voucher; each beside summing the voucher lines of the same
period straight (what the trial balance did before the daily balances), which must agree.
Needs GONGXIAO_TEST_DATABASE_URL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bench._bulk import T0
from bench._log import bulk_log, timed
from bench.figures import Figure
from domain.books import DEFAULT_CHART, DISTRICT_UNIT
from projections.tables import us

TRIAL_BALANCE_S = 1.0
MINUTES = 18  # per cycle: ~30,700 cycles of a million events span ~380 days


def run(quick: bool) -> list[Figure]:
    with bulk_log("books", quick, minutes=MINUTES) as log:
        events, views, app = log.events, log.views, log.app
        raw = log.read_rate()
        earnings = events / timed(lambda: views.runner(app, names=["earnings"]).catch_up())
        books = events / timed(lambda: views.runner(app, names=["books"]).catch_up())
        [counted] = views.db.fetch("SELECT COUNT(*) AS n, MIN(at_us) AS first, "
                                   "MAX(at_us) AS last FROM books_lines")
        days = (counted["last"] - counted["first"]) / 86_400e6
        chart = list(DEFAULT_CHART)
        begin = T0 + timedelta(hours=13, minutes=7)  # inside a day (UTC+8), as is the end
        end = begin + timedelta(days=365)
        [in_year] = views.db.fetch("SELECT COUNT(*) AS n FROM books_lines WHERE at_us >= ? "
                                   "AND at_us < ?", [us(begin), us(end)])
        figures = [
            Figure(f"books catch-up, vouchers posted ({events} events)", books, "events/s",
                   "earnings catch-up, same events", earnings),
            Figure("books catch-up beside reading the log", books, "events/s",
                   "read + decode the log", raw)]
        year_days = min(365, int(days))
        for label, period in ((f"{in_year['n']} lines, {year_days} days", (begin, end)),
                              (f"all {counted['n']} lines, {days:.0f} days", (None, None))):
            balance = views.books.trial_balance(chart, DISTRICT_UNIT, *period)
            if not balance["balanced"]:
                raise RuntimeError(f"the bench's books do not balance: {balance}")
            if [(a["account"], a["debit_fen"], a["credit_fen"]) for a in balance["accounts"]] \
                    != _from_lines(views, *period):
                raise RuntimeError("the trial balance is not the sum of the voucher lines")
            seconds = min(timed(lambda p=period: views.books.trial_balance(  # type: ignore[misc]
                chart, DISTRICT_UNIT, *p)) for _ in range(3))
            straight = min(timed(lambda p=period: _from_lines(views, *p))  # type: ignore[misc]
                           for _ in range(3))
            figures.append(Figure(f"trial balance, {label}", seconds * 1000, "ms",
                                  "summing the lines straight", straight * 1000,
                                  f"<= {TRIAL_BALANCE_S * 1000:.0f} ms", seconds <= TRIAL_BALANCE_S))
        return figures


def _from_lines(views: Any, begin: Any, end: Any) -> list[tuple[str, int, int]]:
    """Each account's debits and credits of the period, summed from every line (with the
    opening, so the work is the trial balance's of old)."""
    low, high = (us(begin) if begin else -2**62), (us(end) if end else 2**62)
    rows = views.db.fetch(
        "SELECT account, SUM(CASE WHEN at_us < ? THEN debit_fen - credit_fen ELSE 0 END) AS d0, "
        "SUM(CASE WHEN at_us >= ? THEN debit_fen ELSE 0 END) AS d, "
        "SUM(CASE WHEN at_us >= ? THEN credit_fen ELSE 0 END) AS c FROM books_lines "
        "WHERE unit_id = ? AND at_us < ? GROUP BY account ORDER BY account",
        [low, low, low, DISTRICT_UNIT, high])
    return [(r["account"], int(r["d"] or 0), int(r["c"] or 0)) for r in rows]
