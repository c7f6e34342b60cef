"""The posting rules (one per event type), the chart of accounts as data, accounting units."""

from __future__ import annotations

import pytest

from domain import books
from domain.application import Gongxiao
from domain.books import DEFAULT_CHART, Unbalanced, UnknownUnit, check_balanced, check_chart
from domain.errors import Invalid
from tests.district import seed


def entries(lines: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(e["account"], e["sub"], e["debit_fen"], e["credit_fen"]) for e in lines]


def test_an_input_purchase_debits_goods_and_credits_cash_or_the_suppliers_payable() -> None:
    assert entries(books.input_purchased(payment="cash", total_fen=500, supplier="川化")) == [
        ("121", None, 500, 0), ("101", None, 0, 500)]
    assert entries(books.input_purchased(payment="payable", total_fen=500, supplier="川化")) == [
        ("121", None, 500, 0), ("211", "supplier:川化", 0, 500)]


def test_an_input_sale_on_credit_is_owed_by_the_member_in_cash_it_is_cash() -> None:
    assert entries(books.input_sold(payment="credit", total_fen=2800, farmer_id="f-wang")) == [
        ("114", "member:f-wang", 2800, 0), ("501", None, 0, 2800)]
    assert entries(books.input_sold(payment="cash", total_fen=2800, farmer_id="f-wang")) == [
        ("101", None, 2800, 0), ("501", None, 0, 2800)]


def test_the_cost_of_inputs_sold_moves_from_goods_to_operating_expense() -> None:
    assert entries(books.input_cost(cost_fen=2150)) == [("521", None, 2150, 0),
                                                         ("121", None, 0, 2150)]


def test_buying_a_members_produce_is_owed_to_the_member() -> None:
    assert entries(books.produce_bought(earned_fen=96000, farmer_id="f-zhang")) == [
        ("121", None, 96000, 0), ("114", "member:f-zhang", 0, 96000)]


def test_a_retail_sale_is_cash_and_revenue() -> None:
    assert entries(books.produce_sold(price_fen=1680)) == [("101", None, 1680, 0),
                                                           ("501", None, 0, 1680)]


def test_a_retail_sale_moves_the_packs_cost_from_goods_to_operating_expense() -> None:
    assert entries(books.produce_sold(price_fen=1680, cost_fen=600)) == [
        ("101", None, 1680, 0), ("501", None, 0, 1680), ("521", None, 600, 0),
        ("121", None, 0, 600)]


def test_a_runs_produce_cost_is_what_its_batches_earned_pro_rata_half_up() -> None:
    # 10 kg of grade A earned 12,000 fen: 0.5 kg of it cost 600 fen, 1 g 1.2 → 1 fen
    assert books.draw_cost_fen(kg_g=500, graded_g=10_000, earned_fen=12_000) == 600
    assert books.draw_cost_fen(kg_g=1, graded_g=10_000, earned_fen=12_000) == 1
    assert books.draw_cost_fen(kg_g=5, graded_g=10_000, earned_fen=1_000) == 1  # 0.5 → 1
    assert books.draw_cost_fen(kg_g=4, graded_g=10_000, earned_fen=1_000) == 0
    assert books.draw_cost_fen(kg_g=4, graded_g=0, earned_fen=1_000) == 0


@pytest.mark.parametrize(("cost", "packs"), [(12_000, 20), (1_001, 3), (7, 9), (0, 4)])
def test_a_runs_packs_share_its_cost_to_the_fen_whatever_sells(cost: int, packs: int) -> None:
    shares = [books.pack_cost_fen(run_cost_fen=cost, packs=packs, number=n)
              for n in range(1, packs + 1)]
    assert sum(shares) == cost and max(shares) - min(shares) <= 1
    assert books.pack_cost_fen(run_cost_fen=cost, packs=packs, number=packs + 1) == 0


def test_a_payment_to_a_member_clears_their_account_from_the_bank_or_the_till() -> None:
    assert entries(books.farmer_paid(amount_fen=100, farmer_id="f-li", method="bank_transfer")) == [
        ("114", "member:f-li", 100, 0), ("102", None, 0, 100)]
    assert entries(books.farmer_paid(amount_fen=100, farmer_id="f-li", method="cash"))[1] == (
        "101", None, 0, 100)


def test_business_with_a_non_member_is_kept_apart_from_the_members_accounts() -> None:
    """应收款—customer and 应付款—supplier, never 成员往来, for one who is not a member."""
    assert entries(books.input_sold(payment="credit", total_fen=2800, farmer_id="f-wang",
                                    is_member=False)) == [
        ("113", "customer:f-wang", 2800, 0), ("501", None, 0, 2800)]
    assert entries(books.input_sold(payment="cash", total_fen=2800, farmer_id="f-wang",
                                    is_member=False)) == [
        ("101", None, 2800, 0), ("501", None, 0, 2800)]
    assert entries(books.produce_bought(earned_fen=96000, farmer_id="f-zhang",
                                        is_member=False)) == [
        ("121", None, 96000, 0), ("211", "supplier:f-zhang", 0, 96000)]
    assert entries(books.farmer_paid(amount_fen=100, farmer_id="f-zhang", method="cash",
                                     is_member=False)) == [
        ("211", "supplier:f-zhang", 100, 0), ("101", None, 0, 100)]


def test_a_farmer_is_a_member_until_the_unit_says_otherwise_and_saying_it_again_records_nothing(
        ) -> None:
    app = seed(Gongxiao())
    app.register_unit(unit_id="tc", name="唐昌供销社", kind="grassroots")
    assert app.declare_membership(unit_id="tc", farmer_id="zhang", is_member=False) == {
        "unit_id": "tc", "farmer_id": "zhang", "is_member": False}
    membership = app.repository.get(books.Membership.create_id("tc", "zhang"))
    app.declare_membership(unit_id="tc", farmer_id="zhang", is_member=False)
    assert app.repository.get(membership.id).version == membership.version
    assert app.declare_membership(unit_id="tc", farmer_id="zhang", is_member=True)["is_member"]
    assert app.repository.get(membership.id).version == membership.version + 1
    with pytest.raises(UnknownUnit):
        app.declare_membership(unit_id="nowhere", farmer_id="zhang", is_member=False)


def test_nothing_of_no_money_posts_no_voucher() -> None:
    assert books.input_cost(cost_fen=0) == []
    assert books.produce_sold(price_fen=0) == []


def test_a_reversal_negates_every_amount_and_still_balances() -> None:
    posted = books.input_sold(payment="credit", total_fen=2800, farmer_id="f-wang")
    red = books.reverse(posted)
    assert entries(red) == [("114", "member:f-wang", -2800, 0), ("501", None, 0, -2800)]
    check_balanced(red)
    check_balanced(posted + red)
    assert sum(e["debit_fen"] for e in posted + red) == 0


def test_an_unbalanced_voucher_is_refused() -> None:
    with pytest.raises(Unbalanced):
        check_balanced([books.line("101", debit=1), books.line("501", credit=2)])


def test_the_default_chart_is_the_cooperative_chart_and_passes_its_own_checks() -> None:
    codes = [a["code"] for a in DEFAULT_CHART]
    assert codes[:5] == ["101", "102", "113", "114", "121"] and "332" in codes
    assert check_chart(list(DEFAULT_CHART)) == sorted(DEFAULT_CHART, key=lambda a: a["code"])


def test_a_loaded_chart_must_keep_every_account_the_rules_post_to() -> None:
    without_cost = [a for a in DEFAULT_CHART if a["code"] != "521"]
    with pytest.raises(Invalid, match="521"):
        check_chart(without_cost)
    with pytest.raises(Invalid, match="twice"):
        check_chart([*DEFAULT_CHART, DEFAULT_CHART[0]])
    with pytest.raises(Invalid, match="side"):
        check_chart([dict(DEFAULT_CHART[0], side="left"), *DEFAULT_CHART[1:]])


def test_a_district_loads_its_own_chart_else_the_default_applies() -> None:
    app = seed(Gongxiao())
    assert app.chart("pidu")["default"] is True
    own = [*DEFAULT_CHART, {"code": "12101", "name": "产品物资—农药", "side": "debit", "sub": None}]
    app.load_chart(district="pidu", accounts=own)
    chart = app.chart("pidu")
    assert chart["default"] is False and "12101" in [a["code"] for a in chart["accounts"]]


def test_a_site_belongs_to_one_unit_at_a_time_and_can_move() -> None:
    app = seed(Gongxiao())
    with pytest.raises(UnknownUnit):
        app.assign_site_to_unit(site_id="shop", unit_id="ande")
    app.register_unit(unit_id="ande", name="安德供销社", kind="grassroots")
    app.register_unit(unit_id="nongzi", name="农资公司", kind="company")
    app.assign_site_to_unit(site_id="shop", unit_id="ande")
    assert app.assign_site_to_unit(site_id="shop", unit_id="nongzi") == {
        "site_id": "shop", "unit_id": "nongzi"}
    with pytest.raises(Invalid, match="kind"):
        app.register_unit(unit_id="x", name="x", kind="bank")


def test_inputs_moved_between_units_are_owed_between_them_at_cost() -> None:
    assert entries(books.inputs_sent(cost_fen=21500, to_unit="tangchang")) == [
        ("113", "unit:tangchang", 21500, 0), ("121", None, 0, 21500)]
    assert entries(books.inputs_received(cost_fen=21500, from_unit="nongzi")) == [
        ("121", None, 21500, 0), ("211", "unit:nongzi", 0, 21500)]


def test_capital_paid_in_is_cash_or_bank_and_the_members_capital() -> None:
    assert entries(books.capital_contributed(amount_fen=100, farmer_id="f-li", method="cash")) == [
        ("101", None, 100, 0), ("301", "member:f-li", 0, 100)]
