"""The scheduler's jobs: plain functions of the application and the views, safe to run twice.

A job that records does so through an idempotent use case, so running it again at the same
moment records nothing; forgetting old replies deletes nothing more the second time; the
others only read. ``workers.scheduler`` holds the timers.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.application import Gongxiao
from infra.idempotency import Replies
from infra.views import ReadModels

SHANGHAI = ZoneInfo("Asia/Shanghai")
log = logging.getLogger("gongxiao.scheduler")
TOTALS = ("delivered_kg", "graded_kg", "earned_fen", "input_credit_fen", "paid_fen",
          "opening_balance_fen", "balance_fen")


def issue_statements(app: Gongxiao, views: ReadModels, *, today: date,
                     now: datetime | None = None) -> list[dict[str, Any]]:
    """Statements for the day that closed at midnight (Asia/Shanghai) before ``today``, for
    every farmer with something on it; figures from the earnings view once it has caught up."""
    period_to = datetime.combine(today, time(0), SHANGHAI)
    period_from = period_to - timedelta(days=1)
    views.runner(app).catch_up()
    issued = []
    for farmer_id in views.earnings.farmers_with_lines(period_from, period_to):
        statement = views.earnings.statement(farmer_id, period_from, period_to)
        answer = app.issue_statement(farmer_id=farmer_id, period_from=period_from,
                                     period_to=period_to, issued_at=now or datetime.now(UTC),
                                     totals={k: statement[k] for k in TOTALS})
        if answer["issued"]:
            issued.append(answer)
    log.info("issued %d statements for %s", len(issued), period_from.date())
    return issued


def flag_shelf_life(app: Gongxiao, *, now: datetime, nearing_days: int = 1) -> dict[str, list[str]]:
    """Flag packs in the cold stores past or near their shelf life (the catalog stops offering
    expired ones once the views see the event)."""
    flagged = app.flag_shelf_life(at=now, nearing_days=nearing_days)
    log.info("flagged %d expired and %d nearing packs", len(flagged["expired"]),
             len(flagged["nearing"]))
    return flagged


def charge_rent(app: Gongxiao, views: ReadModels, *, today: date) -> list[dict[str, Any]]:
    """Rent due for the month of ``today`` (Asia/Shanghai) and any month of a lease before it
    not charged yet, for every lease the books know: each month of a lease falls due once
    (``Lease.charge_through``), so a second run, or a run after a missed month, charges only
    what is missing. Answers the leases charged now and their months."""
    views.runner(app, names=["books"]).catch_up()
    through = today.strftime("%Y-%m")
    charged = []
    for lease in views.books.leases():
        before = set(app.lease(lease["lease_id"]).due)
        after = app.charge_rent(lease_id=lease["lease_id"], through=through)
        if months := sorted(set(after["months_due"]) - before):
            charged.append({"lease_id": lease["lease_id"], "unit_id": lease["unit_id"],
                            "months": months})
    log.info("rent due through %s: %d leases charged", through, len(charged))
    return charged


def check_cold_rooms(views: ReadModels, *, now: datetime, window: timedelta = timedelta(days=1),
                     stale_after: timedelta = timedelta(hours=3)) -> list[dict[str, Any]]:
    """Readings of the last day checked against every product's range: excursions, whether
    each was recorded, and rooms whose logger has gone quiet."""
    rooms = views.cold_chain.check(now=now, window=window, stale_after=stale_after)
    for room in rooms:
        if room["stale"] or room["excursions"]:
            log.warning("cold room %s/%s: %d excursions (%d unrecorded), last reading %s",
                        room["site_id"], room["room"], len(room["excursions"]),
                        room["unrecorded"], room["last_reading_at"].isoformat())
    return rooms


def reconcile(app: Gongxiao, views: ReadModels) -> list[dict[str, Any]]:
    """Recompute each view from the log and report any drift from the live one."""
    reports = views.reconcile(app)
    for report in reports:
        (log.error if report["drift"] else log.info)(
            "view %s at event %d: drift %d", report["projection"], report["position"],
            report["drift"])
    return reports


def forget_replies(replies: Replies, *, now: datetime, keep_days: int) -> dict[str, Any]:
    """Forget the replies kept more than ``keep_days`` ago: a repeat of their keys runs its
    command again (``infra.idempotency``)."""
    before = now - timedelta(days=keep_days)
    forgotten = replies.forget(before=before)
    log.info("forgot %d replies kept before %s", forgotten, before.isoformat())
    return {"before": before, "forgotten": forgotten}
