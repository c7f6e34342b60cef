"""Leases of co-op assets: rent due month by month once, receipts by reference, arrears;
the assets' cards."""

from __future__ import annotations

import pytest

from domain import books
from domain.application import Gongxiao
from domain.errors import Conflict, IdempotencyConflict, Invalid
from domain.lease import Asset, MoreThanDue, lease_months
from tests.district import at, seed


def test_the_months_of_a_lease_run_from_its_first_to_its_last_up_to_the_month_asked() -> None:
    assert lease_months("2026-11", "2027-02", "2027-12") == ["2026-11", "2026-12", "2027-01",
                                                             "2027-02"]
    assert lease_months("2026-11", "2027-02", "2026-12") == ["2026-11", "2026-12"]
    assert lease_months("2026-11", "2027-02", "2026-10") == []


def lease(app: Gongxiao, **change: object) -> dict[str, object]:
    return app.sign_lease(**({"lease_id": "L1", "unit_id": "ad", "asset": "正街12号门面",
                              "tenant": "李记", "monthly_rent_fen": 180000, "starts": "2026-09",
                              "ends": "2027-08"} | change))  # type: ignore[arg-type]


def test_rent_falls_due_once_a_month_and_receipts_never_exceed_the_arrears() -> None:
    app = seed(Gongxiao())
    app.register_unit(unit_id="ad", name="安德供销社", kind="grassroots")
    lease(app)
    assert lease(app)["months_due"] == []  # signed again: the same lease
    with pytest.raises(IdempotencyConflict):
        lease(app, monthly_rent_fen=1)
    app.charge_rent(lease_id="L1", through="2026-11")
    charged = app.charge_rent(lease_id="L1", through="2026-11")
    assert charged["months_due"] == ["2026-09", "2026-10", "2026-11"]
    assert charged["arrears_fen"] == 3 * 180000
    app.receive_rent(lease_id="L1", amount_fen=200000, received_at=at(0), method="cash",
                     reference="R1")
    assert app.receive_rent(lease_id="L1", amount_fen=200000, received_at=at(0), method="cash",
                            reference="R1")["arrears_fen"] == 340000
    with pytest.raises(MoreThanDue):
        app.receive_rent(lease_id="L1", amount_fen=340001, received_at=at(0), method="cash",
                         reference="R2")
    with pytest.raises(Invalid):
        lease(app, lease_id="L2", starts="2027-01", ends="2026-12")
    with pytest.raises(Invalid):
        app.charge_rent(lease_id="L1", through="2026-13")


def test_rent_due_is_owed_by_the_tenant_as_other_income_and_received_clears_it() -> None:
    assert [(e["account"], e["sub"], e["debit_fen"], e["credit_fen"])
            for e in books.rent_due(amount_fen=180000, tenant="李记")] == [
        ("113", "tenant:李记", 180000, 0), ("502", None, 0, 180000)]
    assert [(e["account"], e["sub"]) for e in books.rent_received(
        amount_fen=1, tenant="李记", method="bank_transfer")] == [("102", None),
                                                                 ("113", "tenant:李记")]


def test_an_asset_card_records_only_what_changed_and_stays_with_its_unit() -> None:
    card = {"name": "正街12号门面", "kind": "shop_front", "location": "正街12号", "area_m2": 85,
            "value_fen": 36000000, "acquired": "1998-06"}
    asset = Asset(asset_id="A-12", unit_id="ande", **card)
    asset.correct(unit_id="ande", **card)
    assert asset.version == 1
    asset.correct(unit_id="ande", **card | {"value_fen": 1})
    assert asset.version == 2 and asset.card()["value_fen"] == 1
    with pytest.raises(Conflict):
        asset.correct(unit_id="tangchang", **card)
    for bad in ({"kind": "castle"}, {"value_fen": -1}, {"acquired": "98-06"},
                {"area_m2": 0}):
        with pytest.raises(Invalid):
            Asset.check(**{k: v for k, v in (card | bad).items()
                           if k in ("kind", "area_m2", "value_fen", "acquired")})


def test_an_assets_original_value_is_a_fixed_asset_paid_from_the_bank() -> None:
    assert books.asset_acquired(value_fen=36000000) == [
        books.line("151", debit=36000000), books.line("102", credit=36000000)]
    assert books.asset_acquired(value_fen=0) == []  # a card of no value posts nothing
    chart = {a["code"]: (a["name"], a["side"]) for a in books.DEFAULT_CHART}
    assert (chart["151"], chart["152"]) == (("固定资产", "debit"), ("累计折旧", "credit"))
    without = [a for a in books.DEFAULT_CHART if a["code"] != "151"]
    with pytest.raises(Invalid, match="151"):
        books.check_chart(without)
