"""The scheduler's jobs on both stores: each does its work once, and a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.application import Gongxiao
from infra.demo import SHANGHAI, load_demo
from infra.views import Views
from workers import jobs
from workers.scheduler import TIMERS, build_scheduler


def test_statements_are_issued_once_for_the_closed_day(app: Gongxiao, views: Views) -> None:
    load_demo(app, today=date(2026, 11, 9))
    now = datetime(2026, 11, 4, 18, tzinfo=UTC)
    issued = jobs.issue_statements(app, views, today=date(2026, 11, 4), now=now)
    # Tuesday 11-03: 张德明 and 李秀英 were graded; nobody else had anything that day.
    assert [s["farmer_id"] for s in issued] == ["f-li", "f-zhang"]
    zhang = issued[1]["totals"]
    assert (zhang["earned_fen"], zhang["delivered_kg"], zhang["opening_balance_fen"],
            zhang["balance_fen"]) == (120000, Decimal("120.5"), -33000, 87000)
    events = app.recorder.max_notification_id()
    assert jobs.issue_statements(app, views, today=date(2026, 11, 4), now=now) == []
    assert app.recorder.max_notification_id() == events


def test_shelf_life_flags_are_recorded_once(app: Gongxiao, views: Views) -> None:
    load_demo(app, today=date(2026, 11, 9))
    nearing = jobs.flag_shelf_life(app, now=datetime(2026, 11, 9, 0, tzinfo=UTC))
    assert nearing["expired"] == [] and len(nearing["nearing"]) == 150
    events = app.recorder.max_notification_id()
    assert jobs.flag_shelf_life(app, now=datetime(2026, 11, 9, 0, tzinfo=UTC)) == {
        "expired": [], "nearing": []}
    assert app.recorder.max_notification_id() == events


def test_cold_rooms_are_checked_against_the_readings(app: Gongxiao, views: Views) -> None:
    load_demo(app, today=date(2026, 11, 9))
    views.runner(app).catch_up()
    stall = datetime(2026, 11, 5, 14, tzinfo=SHANGHAI)
    [room] = jobs.check_cold_rooms(views, now=stall + timedelta(hours=1))
    assert (room["room"], room["stale"], room["unrecorded"]) == ("冷藏1号", False, 0)
    [compressor] = [x for x in room["excursions"] if x["celsius"] == Decimal("7.8")]
    assert compressor["skus"] == ["jiuhuang", "suantai", "woshun"] and compressor["recorded"]
    [later] = jobs.check_cold_rooms(views, now=stall + timedelta(days=5))
    assert later["stale"] and later["excursions"] == []


def test_reconciliation_reports_no_drift_and_changes_nothing(app: Gongxiao, views: Views) -> None:
    load_demo(app, today=date(2026, 11, 9))
    views.runner(app).catch_up()
    first = jobs.reconcile(app, views)
    assert [r["drift"] for r in first] == [0, 0, 0, 0]
    assert jobs.reconcile(app, views) == first


def test_reconciliation_finds_a_view_that_drifted(app: Gongxiao, views: Views) -> None:
    load_demo(app, today=date(2026, 11, 9))
    views.runner(app).catch_up()
    with views.store.transaction() as cur:
        cur.execute("UPDATE stock_levels SET sold = sold + 1")
    [report] = views.reconcile(app, "stock")
    assert report["tables"]["stock_levels"] == {"missing": 6, "unexpected": 6}


def test_the_timers_run_each_job_in_shanghai_time() -> None:
    scheduler = build_scheduler(lambda name: name)
    assert {job.id for job in scheduler.get_jobs()} == set(TIMERS)
    statements = scheduler.get_job("statements")
    fire = statements.trigger.get_next_fire_time(None, datetime(2026, 11, 9, 12, tzinfo=SHANGHAI))
    assert fire == datetime(2026, 11, 10, 1, tzinfo=SHANGHAI)
