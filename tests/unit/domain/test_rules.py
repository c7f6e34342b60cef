"""The rules that views and pages share, each written once in the domain: the pre-harvest
interval verdict, a cold room's allowed range, what a sale puts on credit, a farmer's balance."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.batch import harvest_allowed_from, phi_verdict
from domain.farmer import balance_fen
from domain.input_sale import credit_fen
from domain.product import allowed_range, outside_range
from tests.district import at


def test_a_harvest_before_the_pre_harvest_interval_runs_out_is_inside_it() -> None:
    assert phi_verdict(harvested_at=at(6, 23), applied_at=at(0), phi_days=7) == "inside"


def test_a_harvest_at_the_moment_the_interval_runs_out_is_ok() -> None:
    assert harvest_allowed_from(at(0), 7) == at(0) + timedelta(days=7)
    assert phi_verdict(harvested_at=at(7), applied_at=at(0), phi_days=7) == "ok"
    assert phi_verdict(harvested_at=at(7) - timedelta(microseconds=1), applied_at=at(0),
                       phi_days=7) == "inside"


def test_an_input_without_an_interval_has_no_verdict_and_never_holds() -> None:
    assert harvest_allowed_from(at(0), None) is None
    assert phi_verdict(harvested_at=at(0), applied_at=at(0), phi_days=None) == "none"


def test_a_zero_day_interval_allows_a_harvest_the_moment_of_spraying() -> None:
    assert phi_verdict(harvested_at=at(0), applied_at=at(0), phi_days=0) == "ok"


def test_a_reading_beyond_either_end_of_the_range_leaves_it_one_at_an_end_does_not() -> None:
    allowed = allowed_range({"temp_min_c": Decimal("0"), "temp_max_c": Decimal("4")})
    assert allowed == (Decimal("0"), Decimal("4"))
    assert [outside_range(Decimal(c), allowed) for c in ("-0.1", "0", "4", "4.1")] == [
        True, False, False, True]


def test_a_range_open_at_an_end_is_never_left_through_that_end() -> None:
    assert not outside_range(Decimal("40"), (Decimal("0"), None))
    assert outside_range(Decimal("-1"), (Decimal("0"), None))
    assert allowed_range({"kind": "input"}) == (None, None)
    assert not outside_range(Decimal("-40"), allowed_range({"kind": "input"}))


def test_a_sale_on_credit_puts_its_total_on_the_farmers_account_a_cash_sale_nothing() -> None:
    assert credit_fen("credit", 16500) == 16500
    assert credit_fen("credit", 0) == 0  # a free line on credit is still a line
    assert credit_fen("cash", 16500) is None


def test_the_balance_is_the_opening_plus_earnings_less_inputs_on_credit_and_payments() -> None:
    assert balance_fen(earned_fen=120000, input_credit_fen=16500, paid_fen=50000) == 53500
    assert balance_fen(opening_fen=-2000, earned_fen=0, input_credit_fen=3500, paid_fen=0) == -5500
