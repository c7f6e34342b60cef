"""The scheduler's jobs on both stores: each does its work once, and a second run changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.application import Gongxiao
from infra.demo import SHANGHAI, load_demo
from infra.idempotency import Replies, kept_at
from infra.recorders import REPLIES
from infra.sidetables import SideTables
from infra.views import ReadModels
from workers import jobs
from workers.scheduler import TIMERS, build_scheduler
from workers.scheduler import main as scheduler_main


def test_statements_are_issued_once_for_the_closed_day(app: Gongxiao, views: ReadModels) -> None:
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


def test_shelf_life_flags_are_recorded_once(app: Gongxiao, views: ReadModels) -> None:
    load_demo(app, today=date(2026, 11, 9))
    nearing = jobs.flag_shelf_life(app, now=datetime(2026, 11, 9, 0, tzinfo=UTC))
    assert nearing["expired"] == [] and len(nearing["nearing"]) == 150
    events = app.recorder.max_notification_id()
    assert jobs.flag_shelf_life(app, now=datetime(2026, 11, 9, 0, tzinfo=UTC)) == {
        "expired": [], "nearing": []}
    assert app.recorder.max_notification_id() == events


def test_cold_rooms_are_checked_against_the_readings(app: Gongxiao, views: ReadModels) -> None:
    load_demo(app, today=date(2026, 11, 9))
    views.runner(app).catch_up()
    stall = datetime(2026, 11, 5, 14, tzinfo=SHANGHAI)
    [room] = jobs.check_cold_rooms(views, now=stall + timedelta(hours=1))
    assert (room["room"], room["stale"], room["unrecorded"]) == ("冷藏1号", False, 0)
    [compressor] = [x for x in room["excursions"] if x["celsius"] == Decimal("7.8")]
    assert compressor["skus"] == ["jiuhuang", "suantai", "woshun"] and compressor["recorded"]
    [later] = jobs.check_cold_rooms(views, now=stall + timedelta(days=5))
    assert later["stale"] and later["excursions"] == []


def test_reconciliation_reports_no_drift_and_changes_nothing(app: Gongxiao, views: ReadModels) -> None:
    load_demo(app, today=date(2026, 11, 9))
    views.runner(app).catch_up()
    first = jobs.reconcile(app, views)
    assert [r["drift"] for r in first] == [0] * len(views.names)  # one report per view
    assert jobs.reconcile(app, views) == first


def test_reconciliation_finds_a_view_that_drifted(app: Gongxiao, views: ReadModels) -> None:
    load_demo(app, today=date(2026, 11, 9))
    views.runner(app).catch_up()
    with views.store.transaction() as cur:
        cur.execute("UPDATE stock_levels SET sold = sold + 1")
    [report] = views.reconcile(app, "stock")
    assert report["tables"]["stock_levels"] == {"missing": 6, "unexpected": 6}


def test_replies_past_their_retention_are_forgotten_once(app: Gongxiao) -> None:
    replies = Replies(app.recorder)
    for key in ("scan-R1", "scan-R2"):
        replies.keep(caller="operator:yongan", key=key, fingerprint="f", status=201, body={"batch_code": key})
    db = SideTables(app.recorder)
    db.change(f"UPDATE {db.name(REPLIES)} SET kept_at = %s WHERE idempotency_key = %s",
              (kept_at(datetime.now(UTC) - timedelta(days=31)), "scan-R1"))
    now = datetime.now(UTC)
    assert jobs.forget_replies(replies, now=now, keep_days=30)["forgotten"] == 1
    assert jobs.forget_replies(replies, now=now, keep_days=30)["forgotten"] == 0
    assert replies.replay(caller="operator:yongan", key="scan-R1", fingerprint="f") is None
    assert replies.replay(caller="operator:yongan", key="scan-R2", fingerprint="f") is not None


def test_the_replies_job_runs_once_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("GONGXIAO_DATABASE_URL", "GONGXIAO_KAFKA_BOOTSTRAP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("GONGXIAO_REPLY_RETENTION_DAYS", "7")
    assert scheduler_main(["--run", "replies"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["forgotten"] == 0
    before = datetime.fromisoformat(answer["before"])
    assert timedelta(days=7) <= datetime.now(UTC) - before < timedelta(days=7, minutes=1)


def test_the_timers_run_each_job_in_shanghai_time() -> None:
    scheduler = build_scheduler(lambda name: name)
    assert {job.id for job in scheduler.get_jobs()} == set(TIMERS)
    statements = scheduler.get_job("statements")
    fire = statements.trigger.get_next_fire_time(None, datetime(2026, 11, 9, 12, tzinfo=SHANGHAI))
    assert fire == datetime(2026, 11, 10, 1, tzinfo=SHANGHAI)
    replies = scheduler.get_job("replies")
    fire = replies.trigger.get_next_fire_time(None, datetime(2026, 11, 9, 12, tzinfo=SHANGHAI))
    assert fire == datetime(2026, 11, 10, 4, 15, tzinfo=SHANGHAI)



def test_rent_falls_due_once_per_lease_and_month_however_often_the_job_runs(
        app: Gongxiao, views: ReadModels) -> None:
    load_demo(app, today=date(2026, 11, 9))
    app.register_unit(unit_id="ande", name="安德供销社", kind="grassroots")
    app.sign_lease(lease_id="L-shop", unit_id="ande", asset="安德街铺面3号", tenant="王五",
                   monthly_rent_fen=150000, starts="2026-09", ends="2027-08")
    app.sign_lease(lease_id="L-land", unit_id="ande", asset="仓库后空地", tenant="李四",
                   monthly_rent_fen=30000, starts="2026-11", ends="2026-12")
    charged = jobs.charge_rent(app, views, today=date(2026, 11, 1))
    # the shop's months since it began, the land's first month
    assert charged == [
        {"lease_id": "L-land", "unit_id": "ande", "months": ["2026-11"]},
        {"lease_id": "L-shop", "unit_id": "ande", "months": ["2026-09", "2026-10", "2026-11"]}]
    events = app.recorder.max_notification_id()
    assert jobs.charge_rent(app, views, today=date(2026, 11, 1)) == []
    assert jobs.charge_rent(app, views, today=date(2026, 11, 30)) == []
    assert app.recorder.max_notification_id() == events
    assert [c["months"] for c in jobs.charge_rent(app, views, today=date(2027, 1, 1))] == [
        ["2026-12"], ["2026-12", "2027-01"]]  # the land's lease ended in December
    views.runner(app).catch_up()
    rent = [v for v in views.books.vouchers("ande") if v["kind"] == "rent_due"]
    assert len(rent) == 3 + 1 + 1 + 2  # one voucher per lease and month
    assert views.books.arrears("ande") == [{"tenant": "李四", "arrears_fen": 2 * 30000},
                                          {"tenant": "王五", "arrears_fen": 5 * 150000}]


def test_the_rent_job_runs_on_the_first_of_each_month() -> None:
    rent = build_scheduler(lambda name: name).get_job("rent")
    fire = rent.trigger.get_next_fire_time(None, datetime(2026, 11, 9, 12, tzinfo=SHANGHAI))
    assert fire == datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI)
