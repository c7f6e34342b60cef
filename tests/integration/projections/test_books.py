"""The books view on the demo week (SQLite and PostgreSQL): vouchers per unit and month, a trial
balance that balances in every unit and for the district, figures worked out by hand (the
purchases and transfers of tests/integration/projections/test_supply.py), and a rebuild that
gives the same vouchers."""

from __future__ import annotations

from datetime import date

import pytest

from domain.application import Gongxiao
from domain.books import statements
from infra.demo import load_demo
from infra.views import ReadModels
from tests.integration.projections.conftest import snapshot


@pytest.fixture
def week(app: Gongxiao, views: ReadModels) -> ReadModels:
    load_demo(app, today=date(2026, 11, 9))
    views.runner(app).catch_up()
    return views


def closing(views: ReadModels, app: Gongxiao, unit: str | None) -> dict[str, int]:
    balance = views.books.trial_balance(app.chart("pidu")["accounts"], unit)
    assert balance["balanced"] and balance["debit_fen"] == balance["credit_fen"] > 0
    return {a["account"]: a["closing_fen"] for a in balance["accounts"]}


def test_every_unit_and_the_district_balance_with_the_figures_worked_by_hand(
        week: ReadModels, app: Gongxiao) -> None:
    nongzi = closing(week, app, "nongzi")
    # bought 903300 on account; sent 163500 to 唐昌 and 73100 to 安德 at cost
    assert (nongzi["121"], nongzi["211"], nongzi["113"]) == (666700, 903300, 236600)
    tangchang = closing(week, app, "tangchang")
    # goods: 163500 in + 36000 bought in cash - 41350 cost of what was sold
    assert (tangchang["121"], tangchang["501"], tangchang["521"]) == (158150, 49300, 41350)
    assert tangchang["121"] == sum(r["on_hand_cost_fen"]
                                   for r in week.supply.stock(site_id="shop-tangchang"))
    assert (tangchang["101"], tangchang["114"], tangchang["211"]) == (-36000, 49300, 163500)
    ande = closing(week, app, "ande")
    assert (ande["121"], ande["501"]) == (57400, 12000 + 7000)
    for unit in ("yongan-coop", "shangmao", "district"):
        closing(week, app, unit)
    district = closing(week, app, None)
    # the district's books hold both sides of what moved between its units: inputs, and the
    # produce cost of the packs 永安 delivered to 商贸's outlets (68,350)
    assert district["113"] == 236600 + 68350
    assert district["211"] == 903300 + 163500 + 73100 + 68350


def test_vouchers_are_numbered_per_unit_and_month_and_point_at_their_events(
        week: ReadModels) -> None:
    october = week.books.vouchers("tangchang", "2026-10")
    assert [(v["number"], v["kind"]) for v in october] == [
        ("2026-10-0001", "input_purchase"), ("2026-10-0002", "input_transfer_in")]
    november = week.books.vouchers("tangchang", "2026-11")
    assert [v["kind"] for v in november] == ["input_sale", "input_cost", "input_sale", "input_cost"]
    assert [v["number"] for v in november] == [f"2026-11-{n:04d}" for n in range(1, 5)]
    first = november[0]
    assert first["lines"] == [
        {"account": "114", "sub": "member:f-zhang", "debit_fen": 33000, "credit_fen": 0},
        {"account": "501", "sub": None, "debit_fen": 0, "credit_fen": 33000}]
    assert first["event_id"] > 0 and "/" in first["ref"]
    ledger = week.books.ledger("tangchang", "114", sub="member:f-wang")
    assert [(line["debit_fen"], line["balance_fen"]) for line in ledger["lines"]] == [(16300, 16300)]


def test_rebuilding_the_books_from_the_log_gives_the_same_vouchers(
        week: ReadModels, app: Gongxiao) -> None:
    before = snapshot(week, "books")
    week.rebuild(app, "books")
    assert snapshot(week, "books") == before


def test_the_balance_sheet_and_the_surplus_of_a_unit_follow_from_its_trial_balance(
        week: ReadModels, app: Gongxiao) -> None:
    balance = week.books.trial_balance(app.chart("pidu")["accounts"], "tangchang")
    figures = statements(balance["accounts"])
    sheet, surplus = figures["balance_sheet"], figures["surplus"]
    # 唐昌: goods 158150 + members owe 49300 - 36000 cash paid out; owes 163500 to the company
    assert (sheet["assets_fen"], sheet["liabilities_fen"], sheet["equity_fen"]) == (
        158150 + 49300 - 36000, 163500, 0)
    assert surplus["income_fen"]["501"] == 49300 and surplus["expenses_fen"]["521"] == 41350
    assert surplus["surplus_fen"] == sheet["surplus_not_carried_fen"] == 49300 - 41350
    assert sheet["balanced"]


def test_produce_sold_at_an_outlet_costs_what_its_farmers_earned_and_moves_between_units(
        week: ReadModels, app: Gongxiao) -> None:
    """The demo's packs are graded and packed at 永安 (unit yongan-coop) and sold at the
    outlets of 商贸 (shangmao): each delivery moves the packs' produce cost from one unit's
    goods to the other's, and each sale moves its pack's cost to 经营支出."""
    sales = [v for v in week.books.vouchers("shangmao") if v["kind"] == "produce_sale"]
    assert len(sales) == 57
    # every pack sold came from runs whose packs cost 600 fen: batch 002's grade A earned
    # 72,000 fen for 60 kg (1,200 fen/kg), a pack 0.5 kg
    assert {tuple((e["account"], e["debit_fen"], e["credit_fen"]) for e in v["lines"][2:])
            for v in sales} == {(("521", 600, 0), ("121", 0, 600))}
    outlet = closing(week, app, "shangmao")
    cold_store = closing(week, app, "yongan-coop")
    moved = outlet["211"]
    assert moved == cold_store["113"] > 0
    assert outlet["521"] == 57 * 600 and outlet["121"] == moved - 57 * 600 >= 0
    assert cold_store["121"] == sum(v["lines"][0]["debit_fen"] for v in week.books.vouchers(
        "yongan-coop") if v["kind"] == "produce_purchase") - moved
