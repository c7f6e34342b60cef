"""Property: for any sequence of business events (corrections of purchases, sales, payments,
capital and asset cards too, and members declared) the books balance — every voucher, every
unit and the district — and projecting the same log again, in other batches, gives the same
vouchers with the same numbers; the trial balance of any period, read from the daily balances,
is the sum of the voucher lines in it."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.books import DEFAULT_CHART
from domain.errors import DomainError
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.views import ReadModels, build_views
from projections.tables import us
from tests.district import at, seed

SITES, UNITS, FARMERS = ("shop", "depot", "yongan"), ("u1", "u2"), ("zhang", "wang")
actions = st.one_of(
    st.tuples(st.just("buy"), st.sampled_from(SITES[:2]), st.sampled_from(["cash", "payable"]),
              st.integers(1, 9), st.integers(0, 5000)),
    st.tuples(st.just("move"), st.sampled_from(SITES[:2]), st.integers(1, 5)),
    st.tuples(st.just("sell"), st.sampled_from(["cash", "credit"]), st.integers(1, 5),
              st.integers(0, 9000)),
    st.tuples(st.just("grade"), st.sampled_from(FARMERS), st.integers(10, 200)),
    st.tuples(st.just("pay"), st.sampled_from(FARMERS), st.integers(1, 90000)),
    st.tuples(st.just("assign"), st.sampled_from(SITES), st.sampled_from(UNITS)),
    st.tuples(st.just("fix"), st.integers(0, 9), st.sampled_from(["cash", "payable"]),
              st.integers(0, 5000)),
    st.tuples(st.just("fixsale"), st.integers(0, 9), st.integers(1, 6), st.integers(0, 9000)),
    st.tuples(st.just("fixpay"), st.integers(0, 9), st.integers(1, 90000),
              st.sampled_from(["cash", "bank_transfer"])),
    st.tuples(st.just("capital"), st.sampled_from(UNITS), st.sampled_from(FARMERS),
              st.integers(1, 90000)),
    st.tuples(st.just("fixcap"), st.integers(0, 9), st.integers(1, 90000),
              st.sampled_from(["cash", "bank_transfer"])),
    st.tuples(st.just("member"), st.sampled_from(UNITS), st.sampled_from(FARMERS),
              st.booleans()),
    st.tuples(st.just("asset"), st.sampled_from(UNITS), st.integers(0, 2),
              st.integers(0, 10**8)))


def _send(app: StoredGongxiao, step: int, action: tuple[Any, ...],
          made: dict[str, list[Any]]) -> None:
    kind, *args = action
    when = at(step / 5)  # a script spans days, so periods split days
    bought = made.setdefault("bought", [])
    if kind in ("fixsale", "fixpay", "fixcap"):
        which, *said = args
        earlier = made.get(kind, [])
        if not earlier:
            return
        what = earlier[which % len(earlier)]
        if kind == "fixsale":
            quantity, price = said
            app.correct_input_sale(sale_id=what, shop_id="shop", reason="录错", corrected_at=when,
                                   key=f"f{step}", lines=[{"sku": "bichonglin", "lot": "L",
                                                           "quantity": quantity,
                                                           "unit_price_fen": price}])
        elif kind == "fixpay":
            app.correct_payment(farmer_id=what[0], reference=what[1], amount_fen=said[0],
                                method=said[1], reason="录错", corrected_at=when, key=f"f{step}")
        else:
            app.correct_capital(unit_id=what[0], farmer_id=what[1], reference=what[2],
                                amount_fen=said[0], method=said[1], reason="录错",
                                corrected_at=when, key=f"f{step}")
    elif kind == "capital":
        unit, farmer, amount = args
        app.contribute_capital(unit_id=unit, farmer_id=farmer, amount_fen=amount, paid_at=when,
                               method="cash", reference=f"c{step}")
        made.setdefault("fixcap", []).append((unit, farmer, f"c{step}"))
    elif kind == "asset":  # a card registered, or its value corrected
        unit, n, value = args
        app.register_asset(asset_id=f"{unit}-{n}", unit_id=unit, name="门面", kind="shop_front",
                           location="正街", area_m2=None, value_fen=value, acquired="1998-06")
    elif kind == "member":
        unit, farmer, is_member = args
        app.declare_membership(unit_id=unit, farmer_id=farmer, is_member=is_member)
    elif kind == "buy":
        site, payment, quantity, cost = args
        answer = app.record_purchase(
            site_id=site, supplier="s", invoice_no=f"I{step}", payment=payment, received_at=when,
            key=f"b{step}", lines=[{"sku": "bichonglin", "lot": "L", "quantity": quantity,
                                    "unit_cost_fen": cost}])
        bought.append((site, answer["purchase_id"]))
    elif kind == "fix":
        which, payment, cost = args
        if not bought:
            return
        site, purchase_id = bought[which % len(bought)]
        app.correct_purchase(site_id=site, purchase_id=purchase_id, payment=payment,
                             unit_costs_fen=[cost], corrected_at=when)
    elif kind == "move":
        source, quantity = args
        app.transfer_inputs(from_site_id=source, to_site_id="depot" if source == "shop" else "shop",
                            sent_at=when, key=f"m{step}", lines=[
                                {"sku": "bichonglin", "lot": "L", "quantity": quantity}])
    elif kind == "sell":
        payment, quantity, price = args
        sold = app.record_input_sale(
            shop_id="shop", farmer_id="zhang", sold_at=when, payment=payment, key=f"s{step}",
            lines=[{"sku": "bichonglin", "lot": "L", "quantity": quantity,
                    "unit_price_fen": price}])
        made.setdefault("fixsale", []).append(sold["sale_id"])
    elif kind == "grade":
        farmer, net = args
        code = f"B{step}"
        app.receive_batch(batch_code=code, site_id="yongan", farmer_id=farmer, sku="woshun",
                          harvested_at=when, net_kg=str(net), scanned_at=when)
        app.grade_batch(batch_code=code, graded_at=when, grades={"A": str(net - 1)},
                        reject_kg="1")
    elif kind == "pay":
        farmer, amount = args
        app.pay_farmer(farmer_id=farmer, amount_fen=amount, paid_at=when, method="bank_transfer",
                       reference=f"p{step}")
        made.setdefault("fixpay", []).append((farmer, f"p{step}"))
    else:
        site, unit = args
        app.assign_site_to_unit(site_id=site, unit_id=unit)


def _books(views: ReadModels) -> dict[str, list[dict[str, Any]]]:
    return {t.name: views.db.fetch(f"SELECT * FROM {t.name} ORDER BY {', '.join(t.key)}")
            for t in views.projections["books"].tables}


def _totals(balance: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {a["account"]: (a["opening_fen"], a["debit_fen"], a["credit_fen"])
            for a in balance["accounts"]}


def _summed(views: ReadModels, unit: str | None, from_: Any, to: Any) -> dict[str, Any]:
    """The trial balance's figures summed straight from the voucher lines."""
    sides = {a["code"]: a["side"] for a in DEFAULT_CHART}
    begin, end = (-2**62 if from_ is None else us(from_)), (2**62 if to is None else us(to))
    found: dict[str, list[int]] = {}
    for line in views.db.fetch("SELECT * FROM books_lines"):
        if (unit is not None and line["unit_id"] != unit) or line["at_us"] >= end:
            continue
        sums = found.setdefault(line["account"], [0, 0, 0])
        if line["at_us"] < begin:
            sums[0] += line["debit_fen"] - line["credit_fen"]
        else:
            sums[1] += line["debit_fen"]
            sums[2] += line["credit_fen"]
    return {code: (d0 if sides.get(code, "debit") == "debit" else -d0, d, c)
            for code, (d0, d, c) in found.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=st.lists(actions, min_size=1, max_size=30), batches=st.tuples(
    st.integers(1, 40), st.integers(1, 40)),
    bounds=st.tuples(st.none() | st.integers(-24, 160), st.none() | st.integers(-24, 160)))
def test_the_books_balance_and_projecting_again_gives_the_same_vouchers(
        script: list[Any], batches: tuple[int, int], bounds: tuple[int | None, int | None]) -> None:
    app = seed(StoredGongxiao())
    app.register_site(site_id="depot", name="仓库", kind="warehouse")
    for unit in UNITS:
        app.register_unit(unit_id=unit, name=unit, kind="grassroots")
    made: dict[str, list[Any]] = {}
    for step, action in enumerate(script):
        with contextlib.suppress(DomainError):
            _send(app, step, action, made)
    chart = list(DEFAULT_CHART)
    with tempfile.TemporaryDirectory() as tmp:
        made = [build_views(Settings(database_url=None, kafka_bootstrap=None,
                                     var_dir=Path(tmp) / str(n))) for n in range(2)]
        try:
            for views, batch in zip(made, batches, strict=True):
                views.runner(app, batch_size=batch, names=["books"]).catch_up()
            first, again = made
            for unit in (*UNITS, "district", None):
                balance = first.books.trial_balance(chart, unit)
                assert balance["balanced"], (unit, balance)
            for voucher in (v for unit in (*UNITS, "district") for v in first.books.vouchers(unit)):
                lines = voucher["lines"]
                assert sum(e["debit_fen"] for e in lines) == sum(e["credit_fen"] for e in lines)
            assert _books(first) == _books(again)
            begin, end = sorted(bounds, key=lambda h: -1000 if h is None else h)
            from_, to = (None if h is None else at(0, h) for h in (begin, end))
            for unit in (*UNITS, "district", None):
                assert _totals(first.books.trial_balance(chart, unit, from_, to)) == \
                    _summed(first, unit, from_, to)
        finally:
            for views in made:
                views.close()
    app.close()
