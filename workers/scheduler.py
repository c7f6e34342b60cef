"""``gongxiao worker scheduler``: the co-op's timed jobs on APScheduler, in Asia/Shanghai.

Only the timers live here; the jobs are the plain functions of ``workers.jobs``.
``--run NAME`` runs one job now and prints what it did.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from infra.composition import Composition
from infra.idempotency import Replies
from infra.settings import Settings
from infra.views import ReadModels
from workers import jobs

# job name → (cron fields, Asia/Shanghai)
TIMERS: dict[str, dict[str, Any]] = {
    "statements": {"hour": 1, "minute": 0},      # the day closed at midnight
    "shelf_life": {"minute": 5},                  # hourly
    "cold_rooms": {"minute": "*/15"},
    "reconcile": {"hour": 3, "minute": 30},
    "replies": {"hour": 4, "minute": 15},         # forget kept replies past their retention
    "rent": {"day": 1, "hour": 0, "minute": 30},  # the month's rent of every lease falls due
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongxiao worker scheduler")
    parser.add_argument("--run", choices=sorted(TIMERS), help="run one job now and exit")
    args = parser.parse_args(list(argv or []))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    wired = Composition(settings)
    run = _runner(wired.app, wired.views, wired.replies, keep_days=settings.reply_retention_days)
    try:
        if args.run:
            print(json.dumps(run(args.run), default=str, ensure_ascii=False, indent=2))
            return 0
        build_scheduler(run).start()
        return 0
    finally:
        wired.close()


def build_scheduler(run: Callable[[str], Any]) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=jobs.SHANGHAI)
    for name, fields in TIMERS.items():
        scheduler.add_job(run, CronTrigger(timezone=jobs.SHANGHAI, **fields), args=[name], id=name,
                          coalesce=True, max_instances=1, misfire_grace_time=3600)
    return scheduler


def _runner(app: Any, views: ReadModels, replies: Replies, *,
            keep_days: int) -> Callable[[str], Any]:
    def run(name: str) -> Any:
        now = datetime.now(UTC)
        if name == "statements":
            return jobs.issue_statements(app, views, today=now.astimezone(jobs.SHANGHAI).date())
        if name == "shelf_life":
            return jobs.flag_shelf_life(app, now=now)
        if name == "cold_rooms":
            return jobs.check_cold_rooms(views, now=now)
        if name == "rent":
            return jobs.charge_rent(app, views, today=now.astimezone(jobs.SHANGHAI).date())
        if name == "replies":
            return jobs.forget_replies(replies, now=now, keep_days=keep_days)
        return jobs.reconcile(app, views)

    return run
