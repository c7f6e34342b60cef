"""Trace, recall, stock and earnings on the demo week, against answers worked out by hand.

The week of infra/demo.py from Monday 2026-11-02 (Asia/Shanghai): batch 001 (张德明, 韭黄,
graded A 80 / B 30) gave 60 kg to the first A run (120 packs × 0.5 kg), 30 kg to the B run and
20 kg to the last A run. Of the first run, packs 0001–0040 went to 金牛 (30 sold) and
0041–0070 to 武侯 (27 sold); the B run's first 10 are reserved for 武侯's open order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.application import Gongxiao
from domain.values import id_for, short_code
from infra.demo import load_demo
from infra.views import ReadModels
from workers import jobs


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def run_code(n: int, pack: int) -> str:
    return f"{short_code(id_for('packing_run', f'demo-20261102-pack-{n}'))}-{pack:04d}"


@pytest.fixture
def week(app: Gongxiao, views: ReadModels) -> ReadModels:
    load_demo(app, today=date(2026, 11, 9))
    views.runner(app).catch_up()
    return views


def test_a_sold_pack_traces_back_to_its_farmer_batch_and_cold_chain(week: ReadModels) -> None:
    trace = week.trace.trace(run_code(0, 1))
    assert trace is not None
    assert (trace["kind"], trace["product"], trace["grade"], trace["pack_kg"]) == (
        "pack", {"sku": "jiuhuang", "name": "韭黄"}, "A", Decimal("0.5"))
    assert trace["packed_at"] == z("2026-11-04T08:00") and trace["status"] == "sold"
    assert trace["outlet"] == {"site_id": "outlet-jinniu", "name": "金牛区农产品直营店"}
    [source] = trace["sources"]
    certificate = source.pop("certificate")  # issued at departure: 11-06 05:00 Shanghai
    assert (certificate["batch_code"], certificate["farmer"], certificate["basis"]) == (
        "YA20261102-001", "张**", [{"kind": "self_check"}])
    assert certificate["issued_at"] == z("2026-11-05T21:00")
    assert source == {
        "batch_code": "YA20261102-001", "kg": Decimal("60"),
        "farmer": {"display_name": "张**", "village": "永安村"},
        "harvested_at": z("2026-11-02T22:00"),
        "intake": {"site_id": "yongan", "site": "永安村冷库（唐昌镇）", "at": z("2026-11-03T01:01"),
                   "temperature_c": None},
        "grading": {"at": z("2026-11-03T06:00"), "grade_kg": Decimal("80"),
                    "grades_kg": {"A": Decimal("80"), "B": Decimal("30")}},
        "inputs_applied": []}
    chain = trace["cold_chain"]  # intake 11-03 09:01 to departure 11-06 05:00, Shanghai time
    assert len(chain["readings"]) == 34
    assert (chain["min_c"], chain["max_c"]) == (Decimal("2.5"), Decimal("7.8"))
    assert chain["excursions"] == [{"at": z("2026-11-05T06:00"), "room": "冷藏1号",
                                    "celsius": Decimal("7.8")}]
    assert trace["shipment"] == {"departed_at": z("2026-11-05T21:00"),
                                 "delivered_at": z("2026-11-06T00:00")}
    assert "phone" not in str(trace) and "fen" not in str(trace) and "张德明" not in str(trace)


def test_a_held_batch_shows_the_spray_that_broke_the_pre_harvest_interval(week: ReadModels) -> None:
    trace = week.trace.trace("YA20261102-003")
    assert trace is not None and (trace["kind"], trace["status"]) == ("batch", "on_hold")
    [applied] = trace["sources"][0]["inputs_applied"]
    assert applied == {"product": "吡虫啉 10%可湿性粉剂", "sku": "bichonglin",
                       "active_ingredient": "吡虫啉", "lot": "LOT-BCL-0921",
                       "applied_at": z("2026-11-02T08:00"), "phi_days": 7, "phi_ok": False}
    [safe] = week.trace.trace("YA20261102-005")["sources"][0]["inputs_applied"]  # type: ignore[index]
    assert (safe["lot"], safe["phi_ok"]) == ("LOT-LQ-0712", True)
    assert week.trace.trace("NO-SUCH-CODE") is None


def test_recall_of_a_batch_finds_every_pack_where_it_is_now(week: ReadModels) -> None:
    recall = week.trace.recall(batch_code="YA20261102-001")
    # The runs take batches one after the other: all 120 packs of run 0 (60 kg of its 80 kg
    # of A); of run 1, the 30 packs its 30 kg of B filled before batch 002's; of run 4, the 40
    # its last 20 kg of A filled before 002's. The packs of 002 alone (in stock) are not taken.
    assert len(recall["packs"]) == 120 + 30 + 40
    assert recall["packs_by_status"] == {"at_outlet": 13, "in_stock": 110, "reserved": 10,
                                         "sold": 57}
    assert [o["site_id"] for o in recall["outlets"]] == ["outlet-jinniu", "outlet-wuhou"]
    assert [o["packs"] for o in recall["outlets"]] == [
        {"at_outlet": 10, "sold": 30, "missing": 0}, {"at_outlet": 3, "sold": 27, "missing": 0}]
    assert len(recall["shipments"]) == 2
    sold = {p["pack_code"]: p["status"] for p in recall["packs"]}
    assert sold[run_code(0, 30)] == "sold" and sold[run_code(0, 31)] == "at_outlet"
    assert sold[run_code(1, 1)] == "reserved" and sold[run_code(4, 1)] == "in_stock"


def test_recall_of_an_input_lot_reaches_the_sprayed_farmer_and_batch(week: ReadModels) -> None:
    recall = week.trace.recall(input_lot="LOT-BCL-0921")
    assert recall["farmers"] == [{"farmer_id": "f-wang", "name": "王建国", "village": "金星村",
                                  "bought": True, "applied": True}]
    assert [(b["batch_code"], b["status"]) for b in recall["batches"]] == [
        ("YA20261102-003", "on_hold")]
    assert recall["packs"] == [] and recall["shipments"] == []


def test_stock_and_earnings_of_the_week(week: ReadModels) -> None:
    levels = {(r["sku"], r["grade"]): r for r in week.stock.levels(site_id="yongan")}
    a = levels[("jiuhuang", "A")]
    assert (a["packs_available"], a["packs_at_outlets"], a["packs_sold"]) == (110, 13, 57)
    assert a["at_outlets"] == {"outlet-jinniu": 10, "outlet-wuhou": 3}
    assert a["graded_kg_unpacked"] == Decimal("125")  # 80+60+75 graded, 60+30 packed... of A
    assert levels[("suantai", "A")]["packs_missing"] == 1
    assert levels[("jiuhuang", "B")]["packs_reserved"] == 10
    zhang = week.earnings.statement("f-zhang")
    assert (zhang["earned_fen"], zhang["input_credit_fen"], zhang["paid_fen"],
            zhang["balance_fen"], zhang["delivered_kg"]) == (232400, 33000, 50000, 149400,
                                                             Decimal("230.5"))
    day = week.earnings.statement("f-zhang", date(2026, 11, 3), date(2026, 11, 3))
    assert (day["opening_balance_fen"], day["earned_fen"]) == (-33000, 120000)
    assert [o["status"] for o in week.orders.list(outlet_id="outlet-wuhou")] == ["placed", "shipped"]


def test_expired_packs_flagged_leave_the_catalog(app: Gongxiao, week: ReadModels) -> None:
    after = z("2026-11-10T00:00")  # 韭黄 packs expired at 11-10 06:00 Shanghai
    flagged = jobs.flag_shelf_life(app, now=after)
    assert len(flagged["expired"]) == 50 + 60 + 40
    assert jobs.flag_shelf_life(app, now=after) == {"expired": [], "nearing": []}
    week.runner(app).catch_up()
    assert {c["sku"] for c in week.stock.catalog(now=z("2026-11-09T00:00"))} == {"suantai", "woshun"}
    levels = {(r["sku"], r["grade"]): r for r in week.stock.levels()}
    assert (levels[("jiuhuang", "A")]["packs_available"],
            levels[("jiuhuang", "A")]["packs_expired"]) == (0, 110)
    assert levels[("jiuhuang", "B")]["packs_reserved"] == 10
