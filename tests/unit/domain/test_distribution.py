"""The year-end distribution (农民专业合作社法 art. 44): distributable surplus, at least 60 % by
transactions, the rest by capital, reserve share and subsidies, to the fen; the plan's life."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain import books
from domain.application import Gongxiao
from domain.distribution import (
    DistributionPlan,
    PlanApproved,
    PlanNotApproved,
    deal,
    distributable_fen,
    plan_lines,
)
from domain.errors import IdempotencyConflict, Invalid
from domain.farmer import UnknownFarmer
from tests.district import at, seed

MEMBERS = {"A": {"trade_fen": 300_000, "capital_fen": 10_000},
           "B": {"trade_fen": 200_000, "capital_fen": 15_000, "reserve_share_fen": 5_000},
           "C": {"trade_fen": 100_000, "subsidy_fen": 3_000}}


def test_the_worked_example_of_three_members_adds_up_to_the_fen() -> None:
    # 1,000,001 surplus less 20,000 losses made up and 98,000 reserve: 882,001 to distribute
    left = distributable_fen(surplus_fen=1_000_001, losses_fen=20_000, reserve_fen=98_000)
    assert left == 882_001
    lines = plan_lines(distributable=left, patronage_share=Decimal("0.6"), members=MEMBERS)
    # patronage pool ceil(529,200.6) = 529,201 by trade 3:2:1 → 264,600.5 / 176,400.33 /
    # 88,200.17: floors 529,200, the last fen to A (largest fraction)
    assert [m["patronage_fen"] for m in lines] == [264_601, 176_400, 88_200]
    # the rest, 352,800, by capital + reserve + subsidy 10,000 : 20,000 : 3,000 → 106,909.09 /
    # 213,818.18 / 32,072.73: floors 352,799, the last fen to C
    assert [m["remainder_fen"] for m in lines] == [106_909, 213_818, 32_073]
    assert [m["total_fen"] for m in lines] == [371_510, 390_218, 120_273]
    assert sum(m["total_fen"] for m in lines) == left
    assert sum(m["patronage_fen"] for m in lines) >= left * Decimal("0.6")


def test_each_members_rest_is_told_apart_by_capital_reserve_share_and_subsidy_to_the_fen() -> None:
    left = distributable_fen(surplus_fen=1_000_001, losses_fen=20_000, reserve_fen=98_000)
    lines = plan_lines(distributable=left, patronage_share=Decimal("0.6"), members=MEMBERS)
    parts = [(m["by_capital_fen"], m["by_reserve_fen"], m["by_subsidy_fen"]) for m in lines]
    # A: all by capital; C: all by subsidy; B's 213,818 by capital 15,000 : reserve 5,000 →
    # 160,363.5 / 53,454.5: floors 213,817, the fen left to capital (a tie: capital first)
    assert parts == [(106_909, 0, 0), (160_364, 53_454, 0), (0, 0, 32_073)]
    assert [m["reserve_share_fen"] for m in lines] == [0, 5_000, 0]
    for m in lines:
        assert m["patronage_fen"] + m["by_capital_fen"] + m["by_reserve_fen"] \
            + m["by_subsidy_fen"] == m["total_fen"]
    assert sum(sum(p) for p in parts) == left - sum(m["patronage_fen"] for m in lines)


def test_a_plan_approved_before_its_parts_were_kept_answers_them_null_and_stays_approved() -> None:
    app = seed(Gongxiao())
    app.register_unit(unit_id="u1", name="永安合作社", kind="village")
    members = {"zhang": {"trade_fen": 3, "capital_fen": 1}, "wang": {"trade_fen": 1,
                                                                    "reserve_share_fen": 2}}
    figures = {"unit_id": "u1", "year": 2026, "surplus_fen": 1001, "losses_fen": 0,
               "reserve_fen": 0, "patronage_share": Decimal("0.6"), "members": members}
    drafted = DistributionPlan.draft(**figures)
    old = [{k: v for k, v in line.items() if k in ("member_id", "trade_fen", "patronage_fen",
                                                   "remainder_fen", "total_fen")}
           for line in drafted.lines]  # the lines the code before parts were kept drafted
    plan = DistributionPlan(unit_id="u1", year=2026, lines=old, **drafted.figures)
    plan.approve(approved_at=at(1), meeting="成员大会")
    app.save(plan)
    answer = app.distribution_plan("u1", 2026)
    assert {line["by_reserve_fen"] for line in answer["lines"]} == {None}
    app.draft_distribution(**figures)  # the same draft again: approved as it was, no refusal
    assert app.distribution_plan("u1", 2026)["lines"] == answer["lines"]


def test_a_plan_returning_less_than_60_percent_by_transactions_is_refused() -> None:
    with pytest.raises(Invalid, match="60 %"):
        plan_lines(distributable=1000, patronage_share=Decimal("0.59"), members=MEMBERS)
    assert plan_lines(distributable=1000, patronage_share=Decimal(1), members=MEMBERS)[0][
        "remainder_fen"] == 0


def test_losses_and_reserve_above_the_surplus_are_refused() -> None:
    with pytest.raises(Invalid):
        distributable_fen(surplus_fen=100, losses_fen=60, reserve_fen=41)
    with pytest.raises(Invalid):
        distributable_fen(surplus_fen=-1, losses_fen=0, reserve_fen=0)


def test_dealing_leaves_no_fen_over_and_breaks_ties_by_member_id() -> None:
    assert deal(10, {"b": 1, "a": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert deal(0, {"a": 0}) == {"a": 0}
    with pytest.raises(Invalid, match="weight"):
        deal(5, {"a": 0, "b": 0})


def draft(app: Gongxiao, **change: Any) -> dict[str, Any]:
    return app.draft_distribution(**({
        "unit_id": "tc", "year": 2026, "surplus_fen": 1_000_001, "losses_fen": 20_000,
        "reserve_fen": 98_000, "patronage_share": Decimal("0.6"), "members": MEMBERS} | change))


def test_a_plan_is_drafted_approved_then_paid_or_converted_once() -> None:
    app = seed(Gongxiao())
    app.register_unit(unit_id="tc", name="唐昌供销社", kind="grassroots")
    with pytest.raises(UnknownFarmer):
        draft(app)
    for member in MEMBERS:
        app.register_farmer(farmer_id=member, name=member, village="永安村")
    draft(app, reserve_fen=100_000)
    plan = draft(app)  # redrafted before the meeting
    assert plan["distributable_fen"] == 882_001 and plan["approved_at"] is None
    with pytest.raises(PlanNotApproved):
        app.settle_distribution(unit_id="tc", year=2026, how="paid", settled_at=at(1))
    app.approve_distribution(unit_id="tc", year=2026, approved_at=at(0), meeting="成员大会")
    with pytest.raises(PlanApproved):
        draft(app, reserve_fen=0)
    assert draft(app)["approved_at"] == at(0)  # the same draft again is no change
    app.settle_distribution(unit_id="tc", year=2026, how="converted", settled_at=at(1))
    assert app.settle_distribution(unit_id="tc", year=2026, how="converted",
                                   settled_at=at(1))["settled"] == "converted"
    with pytest.raises(IdempotencyConflict):
        app.settle_distribution(unit_id="tc", year=2026, how="paid", settled_at=at(1))


def test_the_distribution_vouchers_owe_each_member_then_pay_or_make_capital() -> None:
    lines = plan_lines(distributable=882_001, patronage_share=Decimal("0.6"), members=MEMBERS)
    approved = books.distribution_approved(lines=lines)
    assert approved[0] == books.line("332", debit=882_001)
    assert books.line("221", credit=264_601, sub="member:A") in approved
    assert books.line("222", credit=32_073, sub="member:C") in approved
    books.check_balanced(approved)
    paid = books.distribution_settled(how="paid", lines=lines)
    assert paid[-1] == books.line("102", credit=882_001)
    converted = books.distribution_settled(how="converted", lines=lines)
    assert books.line("301", credit=390_218, sub="member:B") in converted
    books.check_balanced(paid)
    books.check_balanced(converted)
