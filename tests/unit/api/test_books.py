"""The books over HTTP: units, a site's unit, the chart, vouchers, ledger and trial balance;
the accountant role sees its own unit's books only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from fastapi.testclient import TestClient

from domain.application import Gongxiao
from domain.books import DEFAULT_CHART
from infra.spreadsheet import XLSX
from infra.tokens import Tokens
from tests.unit.api.helpers import assert_problem, events, moment

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def accountant(app: Gongxiao) -> dict[str, str]:
    return {"Authorization": f"Bearer {Tokens(app.recorder).issue(role='accountant', scope='tc')}"}


@pytest.fixture
def books(client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    district.register_farmer(farmer_id="li", name="李秀英", village="永安村")
    assert client.put("/v1/units/tc", json={"name": "唐昌供销社", "kind": "grassroots"},
                      headers=auth("admin")).status_code == 200
    assert client.put("/v1/sites/shop/unit", json={"unit_id": "tc"},
                      headers=auth("admin")).json() == {"site_id": "shop", "unit_id": "tc"}
    client.post("/v1/input-purchases", headers=auth("admin"), json={
        "site_id": "shop", "supplier": "川化", "invoice_no": "CH-1", "payment": "cash",
        "received_at": moment(-3), "lines": [{"sku": "bichonglin", "lot": "L1", "quantity": 4,
                                              "unit_cost_fen": 2000}]})
    client.post("/v1/input-sales", headers=auth("shop"), json={
        "shop_id": "shop", "farmer_id": "zhang", "sold_at": moment(-1), "payment": "credit",
        "lines": [{"sku": "bichonglin", "lot": "L1", "quantity": 1, "unit_price_fen": 2800}]})
    catch_up()


def test_the_unit_accountant_reads_vouchers_ledger_and_a_balanced_trial_balance(
        client: TestClient, books: None, accountant: dict[str, str]) -> None:
    vouchers = client.get("/v1/units/tc/vouchers", headers=accountant)
    assert vouchers.status_code == 200, vouchers.text
    assert [v["kind"] for v in vouchers.json()] == ["input_purchase", "input_sale", "input_cost"]
    balance = client.get("/v1/units/tc/trial-balance", headers=accountant).json()
    assert balance["balanced"] is True and balance["debit_fen"] == 8000 + 2800 + 2000
    closing = {a["account"]: (a["name"], a["closing_fen"]) for a in balance["accounts"]}
    assert closing["121"] == ("产品物资", 6000) and closing["114"] == ("成员往来", 2800)
    ledger = client.get("/v1/units/tc/ledger/114", params={"sub": "member:zhang"},
                        headers=accountant).json()
    assert [(line["debit_fen"], line["balance_fen"]) for line in ledger["lines"]] == [(2800, 2800)]
    assert ledger["lines"][0]["kind"] == "input_sale" and ledger["lines"][0]["event_id"] > 0


def test_an_accountant_sees_no_other_units_books_and_not_the_districts(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth) -> None:
    assert_problem(client.get("/v1/units/district/vouchers", headers=accountant), 403)
    assert_problem(client.get("/v1/books/trial-balance", headers=accountant), 403)
    assert_problem(client.get("/v1/units/tc/vouchers", headers=auth("shop")), 403)
    assert_problem(client.put("/v1/units/x", json={"name": "x", "kind": "village"},
                              headers=accountant), 403)
    district = client.get("/v1/books/trial-balance", headers=auth("admin")).json()
    assert district["balanced"] is True


def test_the_chart_defaults_to_the_cooperative_chart_and_a_loaded_one_is_checked(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    chart = client.get("/v1/chart", headers=auth("admin")).json()
    assert chart["default"] is True and chart["accounts"][0]["name"] == "库存现金"
    before = events(district)
    missing = [a for a in DEFAULT_CHART if a["code"] != "114"]
    assert_problem(client.put("/v1/chart", json={"accounts": missing}, headers=auth("admin")),
                   422, detail="114")
    assert events(district) == before
    own = [*DEFAULT_CHART, {"code": "12101", "name": "产品物资—农药", "side": "debit"}]
    assert client.put("/v1/chart", json={"accounts": own}, headers=auth("admin")).status_code == 200
    assert client.get("/v1/chart", headers=auth("admin")).json()["default"] is False


def test_bad_units_and_assignments_are_refused(client: TestClient, district: Gongxiao,
                                               auth: Auth) -> None:
    assert_problem(client.put("/v1/units/x", json={"name": "x", "kind": "bank"},
                              headers=auth("admin")), 422, field="kind")
    assert_problem(client.put("/v1/sites/shop/unit", json={"unit_id": "nobody"},
                              headers=auth("admin")), 404, detail="nobody")
    assert_problem(client.put("/v1/sites/nowhere/unit", json={"unit_id": "x"},
                              headers=auth("admin")), 404)
    assert_problem(client.get("/v1/units/x/vouchers", params={"month": "2026-13"},
                              headers=auth("admin")), 422)


PLAN = {"surplus_fen": 1000001, "losses_fen": 20000, "reserve_fen": 98000,
        "patronage_share": 0.6, "members": {
            "zhang": {"trade_fen": 300000, "capital_fen": 10000},
            "wang": {"trade_fen": 200000, "capital_fen": 15000, "reserve_share_fen": 5000},
            "li": {"trade_fen": 100000, "subsidy_fen": 3000}}}


def test_member_accounts_show_the_years_transactions_per_product(
        client: TestClient, books: None, accountant: dict[str, str]) -> None:
    year = int(moment(-1)[:4])
    [zhang] = client.get("/v1/units/tc/member-accounts", params={"year": year},
                         headers=accountant).json()
    assert (zhang["farmer_id"], zhang["trade_fen"], zhang["capital_fen"]) == ("zhang", 2800, 0)
    assert [(t["direction"], t["sku"], t["amount_fen"]) for t in zhang["transactions"]] == [
        ("bought_inputs", "bichonglin", 2800)]


def test_a_plan_is_drafted_approved_and_converted_into_capital_with_its_vouchers(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth,
        catch_up: Callable[[], Any]) -> None:
    drafted = client.put("/v1/units/tc/distribution-plans/2026", json=PLAN, headers=accountant)
    assert drafted.status_code == 200, drafted.text
    assert drafted.json()["distributable_fen"] == 882001
    assert sum(line["total_fen"] for line in drafted.json()["lines"]) == 882001
    for line in drafted.json()["lines"]:  # the rest told apart by capital, reserve, subsidy
        assert line["patronage_fen"] + line["by_capital_fen"] + line["by_reserve_fen"] + \
            line["by_subsidy_fen"] == line["total_fen"]
    assert {line["member_id"]: (line["reserve_share_fen"], line["by_reserve_fen"])
            for line in drafted.json()["lines"]}["wang"] == (5000, 53454)
    assert client.get("/v1/units/tc/distribution-plans/2026",
                      headers=accountant).json()["lines"] == drafted.json()["lines"]
    assert_problem(client.post("/v1/units/tc/distribution-plans/2026/settlement",
                               json={"how": "paid", "settled_at": moment(-1)},
                               headers=accountant), 409, detail="not approved")
    assert_problem(client.post("/v1/units/tc/distribution-plans/2026/approval",
                               json={"approved_at": moment(-1), "meeting": "成员大会"},
                               headers=accountant), 403)
    approved = client.post("/v1/units/tc/distribution-plans/2026/approval",
                           json={"approved_at": moment(-1), "meeting": "2026年成员大会"},
                           headers=auth("admin"))
    assert approved.status_code == 200 and approved.json()["approved_at"] is not None
    assert_problem(client.put("/v1/units/tc/distribution-plans/2026",
                              json=PLAN | {"reserve_fen": 0}, headers=accountant), 409)
    settled = client.post("/v1/units/tc/distribution-plans/2026/settlement",
                          json={"how": "converted", "settled_at": moment(-1, 1)},
                          headers=accountant)
    assert settled.json()["settled"] == "converted"
    catch_up()
    kinds = [v["kind"] for v in client.get("/v1/units/tc/vouchers", headers=accountant).json()]
    assert kinds[-2:] == ["distribution", "distribution_converted"]
    balance = client.get("/v1/units/tc/trial-balance", headers=accountant).json()
    closing = {a["account"]: a["closing_fen"] for a in balance["accounts"]}
    assert balance["balanced"] and closing["301"] == 882001 and closing["332"] == 882001
    assert closing["221"] == 0 and closing["222"] == 0
    figures = client.get("/v1/units/tc/statements", headers=accountant).json()
    assert figures["surplus"]["distributed_fen"] == 882001
    assert figures["balance_sheet"]["equity_fen"] == 882001 - 882001
    assert figures["balance_sheet"]["balanced"] is True
    accounts = client.get("/v1/units/tc/member-accounts", params={"year": 2026},
                          headers=accountant).json()
    assert {a["farmer_id"]: a["capital_fen"] for a in accounts}["wang"] == 176400 + 213818


def test_a_plan_below_60_percent_by_transactions_or_of_an_unknown_unit_is_refused(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth) -> None:
    assert_problem(client.put("/v1/units/tc/distribution-plans/2026",
                              json=PLAN | {"patronage_share": 0.59}, headers=accountant),
                   422, field="patronage_share")
    assert_problem(client.put("/v1/units/tc/distribution-plans/2026",
                              json=PLAN | {"reserve_fen": 2000000}, headers=accountant), 422)
    assert_problem(client.put("/v1/units/nobody/distribution-plans/2026", json=PLAN,
                              headers=auth("admin")), 404)
    assert_problem(client.get("/v1/units/tc/distribution-plans/2025", headers=accountant), 404)
    stranger = PLAN["members"] | {"nobody": {"trade_fen": 1}}  # type: ignore[operator]
    assert_problem(client.put("/v1/units/tc/distribution-plans/2026",
                              json=PLAN | {"members": stranger}, headers=accountant),
                   404, detail="nobody")


def test_a_corrected_purchase_posts_a_reversing_voucher_and_a_new_one(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth,
        catch_up: Callable[[], Any]) -> None:
    bought = client.post("/v1/input-purchases", headers=auth("shop"), json={
        "site_id": "shop", "supplier": "川化", "invoice_no": "CH-2", "payment": "cash",
        "received_at": moment(-1, 1), "lines": [{"sku": "fuhefei", "lot": "F1", "quantity": 2,
                                                 "unit_cost_fen": 4000}]}).json()
    corrected = client.post(f"/v1/input-purchases/{bought['purchase_id']}/correction",
                            headers=auth("shop"), json={
                                "site_id": "shop", "payment": "payable",
                                "unit_costs_fen": [3600], "corrected_at": moment(-1, 2)})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["total_fen"] == 7200
    catch_up()
    red, new = client.get("/v1/units/tc/vouchers", headers=accountant).json()[-2:]
    assert (red["kind"], new["kind"]) == ("input_purchase_reversal", "input_purchase")
    assert red["ref"].endswith("#reversal") and red["event_id"] == new["event_id"]
    assert [(e["account"], e["debit_fen"], e["credit_fen"]) for e in red["lines"]] == [
        ("121", -8000, 0), ("101", 0, -8000)]
    assert [(e["account"], e["sub"], e["credit_fen"]) for e in new["lines"]][1] == (
        "211", "supplier:川化", 7200)
    balance = client.get("/v1/units/tc/trial-balance", headers=accountant).json()
    closing = {a["account"]: a["closing_fen"] for a in balance["accounts"]}
    # goods: 8000 bought for the till - 2000 sold + 8000 - 8000 + 7200 corrected
    assert balance["balanced"] and closing["121"] == 8000 - 2000 + 7200
    assert closing["101"] == -8000 and closing["211"] == 7200
    lots = client.get("/v1/input-stock", params={"lot": "F1"}, headers=auth("shop")).json()
    assert (lots[0]["purchased_cost_fen"], lots[0]["on_hand_cost_fen"]) == (7200, 7200)
    assert_problem(client.post("/v1/input-purchases/nope/correction", headers=auth("shop"), json={
        "site_id": "shop", "payment": "cash", "unit_costs_fen": [1],
        "corrected_at": moment(-1, 2)}), 404)


def test_the_vouchers_export_as_csv_one_row_per_line(
        client: TestClient, books: None, accountant: dict[str, str]) -> None:
    exported = client.get("/v1/units/tc/vouchers.csv", headers=accountant)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["number", "at", "kind", "account"]
    assert [(r[2], r[3], r[4], r[6], r[7]) for r in rows[1:3]] == [
        ("input_purchase", "121", "产品物资", "8000", "0"),
        ("input_purchase", "101", "库存现金", "0", "8000")]
    assert len(rows) == 1 + 3 * 2
    assert_problem(client.get("/v1/units/other/vouchers.csv", headers=accountant), 403)


def test_a_units_input_stock_is_its_own_sites_at_cost_for_its_accountant(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth) -> None:
    answer = client.get("/v1/units/tc/input-stock", headers=accountant)
    assert answer.status_code == 200, answer.text
    assert [(r["site_id"], r["sku"], r["lot"], r["on_hand"], r["on_hand_cost_fen"], r["cogs_fen"])
            for r in answer.json()] == [("shop", "bichonglin", "L1", 3, 6000, 2000)]
    district = client.get("/v1/units/district/input-stock", headers=auth("admin")).json()
    assert "shop" not in {r["site_id"] for r in district}  # the shop is tc's now
    assert_problem(client.get("/v1/units/other/input-stock", headers=accountant), 403)
    assert_problem(client.get("/v1/units/tc/input-stock", headers=auth("shop")), 403)
    assert_problem(client.get("/v1/units/tc/input-stock"), 401)


def test_the_forms_as_filed_read_each_line_with_its_number_and_export_as_a_workbook(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth) -> None:
    answer = client.get("/v1/units/tc/statements", headers=accountant)
    assert answer.status_code == 200, answer.text
    filed = answer.json()["forms"]
    assert filed["year"] == datetime.now(ZoneInfo("Asia/Shanghai")).year
    sheet = {row["line"]: (row["item"], row["closing_fen"]) for row in filed["balance_sheet"]}
    # bought 80 元 in cash, sold for 28 元 on credit what cost 20 元
    assert sheet[1] == ("货币资金", -8000) and sheet[5] == ("应收款项", 2800)
    assert sheet[6] == ("存货", 6000) and sheet[29] == ("资产总计", 800)
    assert sheet[50] == ("未分配盈余", 800) and sheet[54] == ("负债和所有者权益总计", 800)
    assert filed["balanced"] is True and filed["unmapped"] == []
    surplus = {row["line"]: row["amount_fen"] for row in filed["surplus"]}
    assert surplus[15] + surplus[17] == surplus[28] == 800  # this year's and brought forward
    exported = client.get("/v1/units/tc/statements.xlsx", headers=accountant)
    assert exported.status_code == 200, exported.text
    assert f'filename="statements-tc-{filed["year"]}.xlsx"' in exported.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(exported.content), read_only=True)
    assert book.sheetnames == ["资产负债表", "盈余及盈余分配表"]
    rows = [list(r) for r in book["资产负债表"].iter_rows(values_only=True)]
    assert rows[1] == ["行次", "项目", "年初数(分)", "年末数(分)"]
    assert [r[0] for r in rows[2:]] == [row["line"] for row in filed["balance_sheet"]]
    assert rows[2 + 16][0:2] == [29, "资产总计"] and rows[2 + 16][3] == 800
    assert_problem(client.get("/v1/units/tc/statements.xlsx", params={"to": "yesterday"},
                              headers=accountant), 422)
    assert_problem(client.get("/v1/units/other/statements.xlsx", headers=accountant), 403)
    assert_problem(client.get("/v1/units/tc/statements.xlsx"), 401)


def test_the_vouchers_export_as_a_workbook_one_row_per_line_as_the_csv(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth) -> None:
    exported = client.get("/v1/units/tc/vouchers.xlsx", headers=accountant)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == XLSX
    assert 'filename="vouchers-tc-all.xlsx"' in exported.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(exported.content), read_only=True)
    assert book.sheetnames == ["vouchers"]
    rows = [list(r) for r in book["vouchers"].iter_rows(values_only=True)]
    assert rows[0][:4] == ["number", "at", "kind", "account"]
    assert rows[1][:5] == ["凭证号", "日期", "业务", "科目编码", "科目名称"]
    lines = rows[2:]
    assert len(lines) == 3 * 2
    assert [(r[2], r[3], r[4], r[6], r[7]) for r in lines[:2]] == [
        ("input_purchase", "121", "产品物资", 8000, 0),
        ("input_purchase", "101", "库存现金", 0, 8000)]
    assert sum(r[6] for r in lines) == sum(r[7] for r in lines) == 8000 + 2800 + 2000
    # the same lines as the CSV, the moment shown in the co-op's zone
    csv_rows = list(csv.reader(io.StringIO(client.get(
        "/v1/units/tc/vouchers.csv", headers=accountant).content.decode("utf-8-sig"))))[1:]
    assert [[r[0], r[2], r[3], r[8], int(r[9])] for r in csv_rows] == \
        [[r[0], r[2], r[3], r[8], r[9]] for r in lines]
    first_at = datetime.fromisoformat(csv_rows[0][1]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert abs(lines[0][1] - first_at.replace(tzinfo=None)) < timedelta(seconds=1)
    month = csv_rows[0][0][:7]
    one_month = client.get("/v1/units/tc/vouchers.xlsx", params={"month": month},
                           headers=accountant)
    assert one_month.status_code == 200
    assert_problem(client.get("/v1/units/tc/vouchers.xlsx", params={"month": "2026-13"},
                              headers=accountant), 422)
    assert_problem(client.get("/v1/units/other/vouchers.xlsx", headers=accountant), 403)
    assert_problem(client.get("/v1/units/tc/vouchers.xlsx", headers=auth("shop")), 403)
    assert_problem(client.get("/v1/units/tc/vouchers.xlsx"), 401)
    assert client.get("/v1/units/tc/vouchers.xlsx", headers=auth("admin")).status_code == 200


def test_a_non_members_purchase_on_credit_is_a_receivable_and_no_patronage(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth,
        catch_up: Callable[[], Any]) -> None:
    said = client.put("/v1/units/tc/members/li", json={"is_member": False}, headers=accountant)
    assert said.status_code == 200, said.text
    assert said.json() == {"unit_id": "tc", "farmer_id": "li", "is_member": False}
    for bad in ({"is_member": "no"}, {}, {"is_member": False, "x": 1}):
        assert_problem(client.put("/v1/units/tc/members/li", json=bad, headers=accountant), 422)
    assert_problem(client.put("/v1/units/tc/members/nobody", json={"is_member": False},
                              headers=accountant), 404)
    assert_problem(client.put("/v1/units/other/members/li", json={"is_member": False},
                              headers=accountant), 403)
    assert client.post("/v1/input-sales", headers=auth("shop"), json={
        "shop_id": "shop", "farmer_id": "li", "sold_at": moment(-1), "payment": "credit",
        "lines": [{"sku": "bichonglin", "lot": "L1", "quantity": 1,
                   "unit_price_fen": 3000}]}).status_code == 201
    catch_up()
    sales = [v for v in client.get("/v1/units/tc/vouchers", headers=accountant).json()
             if v["kind"] == "input_sale"]
    assert [[(e["account"], e["sub"]) for e in v["lines"]] for v in sales] == [
        [("114", "member:zhang"), ("501", None)], [("113", "customer:li"), ("501", None)]]
    accounts = client.get("/v1/units/tc/member-accounts", params={"year": int(moment(-1)[:4])},
                          headers=accountant).json()
    assert [a["farmer_id"] for a in accounts] == ["zhang"]
    balance = client.get("/v1/units/tc/trial-balance", headers=accountant).json()
    closing = {a["account"]: a["closing_fen"] for a in balance["accounts"]}
    assert closing["114"] == 2800 and closing["113"] == 3000 and balance["balanced"]


def test_a_members_reserve_share_is_kept_per_year_on_their_member_account(
        client: TestClient, books: None, accountant: dict[str, str],
        catch_up: Callable[[], Any]) -> None:
    year = int(moment(-1)[:4])
    path = f"/v1/units/tc/members/zhang/reserve-shares/{year}"
    said = client.put(path, json={"amount_fen": 12500}, headers=accountant)
    assert said.status_code == 200, said.text
    assert said.json() == {"unit_id": "tc", "farmer_id": "zhang", "year": year,
                           "amount_fen": 12500}
    assert client.put(path, json={"amount_fen": 13000}, headers=accountant).status_code == 200
    assert client.put(f"/v1/units/tc/members/zhang/reserve-shares/{year - 1}",
                      json={"amount_fen": 999}, headers=accountant).status_code == 200
    for bad in ({"amount_fen": -1}, {}, {"amount_fen": "1"}):
        assert_problem(client.put(path, json=bad, headers=accountant), 422)
    assert_problem(client.put("/v1/units/tc/members/nobody/reserve-shares/2026",
                              json={"amount_fen": 1}, headers=accountant), 404)
    assert_problem(client.put("/v1/units/other/members/zhang/reserve-shares/2026",
                              json={"amount_fen": 1}, headers=accountant), 403)
    catch_up()
    [zhang] = client.get("/v1/units/tc/member-accounts", params={"year": year},
                         headers=accountant).json()
    assert zhang["reserve_share_fen"] == 13000  # the year's, as last said
    assert not [v for v in client.get("/v1/units/tc/vouchers", headers=accountant).json()
                if v["kind"] not in ("input_purchase", "input_sale", "input_cost")]


def test_capital_paid_in_counts_once_and_shows_on_the_member_account(
        client: TestClient, books: None, accountant: dict[str, str],
        catch_up: Callable[[], Any]) -> None:
    body = {"amount_fen": 100000, "paid_at": moment(-1), "method": "bank_transfer",
            "reference": "GJ-1"}
    first = client.post("/v1/units/tc/members/zhang/capital", json=body, headers=accountant)
    assert first.status_code == 200 and first.json()["capital_fen"] == 100000, first.text
    again = client.post("/v1/units/tc/members/zhang/capital", json=body, headers=accountant)
    assert again.json()["capital_fen"] == 100000
    assert_problem(client.post("/v1/units/tc/members/zhang/capital",
                               json=body | {"amount_fen": 5}, headers=accountant), 409)
    assert_problem(client.post("/v1/units/tc/members/nobody/capital", json=body,
                               headers=accountant), 404)
    assert_problem(client.post("/v1/units/tc/members/zhang/capital",
                               json=body | {"amount_fen": 0}, headers=accountant), 422)
    catch_up()
    [zhang] = client.get("/v1/units/tc/member-accounts", params={"year": int(moment(-1)[:4])},
                         headers=accountant).json()
    assert zhang["capital_fen"] == 100000
    [voucher] = [v for v in client.get("/v1/units/tc/vouchers", headers=accountant).json()
                 if v["kind"] == "capital_contribution"]
    assert [(e["account"], e["sub"]) for e in voucher["lines"]] == [
        ("102", None), ("301", "member:zhang")]


def test_a_lease_charges_rent_monthly_and_its_arrears_are_per_tenant(
        client: TestClient, books: None, accountant: dict[str, str],
        catch_up: Callable[[], Any]) -> None:
    signed = client.put("/v1/leases/L1", headers=accountant, json={
        "unit_id": "tc", "asset": "唐昌镇正街12号门面", "tenant": "李记农资",
        "monthly_rent_fen": 180000, "starts": "2026-01", "ends": "2026-12"})
    assert signed.status_code == 200, signed.text
    due = client.post("/v1/leases/L1/rent-due", json={"through": "2026-03"}, headers=accountant)
    assert due.json()["months_due"] == ["2026-01", "2026-02", "2026-03"]
    receipt = {"amount_fen": 300000, "received_at": moment(-1), "method": "cash",
               "reference": "SJ-1"}
    assert client.post("/v1/leases/L1/receipts", json=receipt,
                       headers=accountant).json()["arrears_fen"] == 240000
    assert_problem(client.post("/v1/leases/L1/receipts", json=receipt | {
        "reference": "SJ-2", "amount_fen": 240001}, headers=accountant), 409)
    assert_problem(client.post("/v1/leases/nope/rent-due", json={"through": "2026-03"},
                               headers=accountant), 404)
    catch_up()
    assert client.get("/v1/units/tc/arrears", headers=accountant).json() == [
        {"tenant": "李记农资", "arrears_fen": 240000}]
    closing = {a["account"]: a["closing_fen"] for a in client.get(
        "/v1/units/tc/trial-balance", headers=accountant).json()["accounts"]}
    assert closing["502"] == 3 * 180000


def test_a_rent_receipt_recorded_wrong_posts_its_reversal_and_the_receipt_anew(
        client: TestClient, books: None, accountant: dict[str, str],
        catch_up: Callable[[], Any]) -> None:
    client.put("/v1/leases/L1", headers=accountant, json={
        "unit_id": "tc", "asset": "唐昌镇正街12号门面", "tenant": "李记农资",
        "monthly_rent_fen": 180000, "starts": "2026-01", "ends": "2026-12"})
    client.post("/v1/leases/L1/rent-due", json={"through": "2026-03"}, headers=accountant)
    client.post("/v1/leases/L1/receipts", headers=accountant, json={
        "amount_fen": 300000, "received_at": moment(-2), "method": "cash", "reference": "SJ-1"})
    fix = {"amount_fen": 360000, "method": "bank_transfer", "reason": "录错金额",
           "corrected_at": moment(-1)}
    corrected = client.post("/v1/leases/L1/receipts/SJ-1/correction", json=fix,
                            headers=accountant)
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["arrears_fen"] == 3 * 180000 - 360000
    again = client.post("/v1/leases/L1/receipts/SJ-1/correction", json=fix, headers=accountant)
    assert again.json()["arrears_fen"] == 3 * 180000 - 360000
    assert_problem(client.post("/v1/leases/L1/receipts/SJ-1/correction", json=fix | {
        "amount_fen": 3 * 180000 + 1}, headers=accountant), 409)
    assert_problem(client.post("/v1/leases/L1/receipts/SJ-9/correction", json=fix,
                               headers=accountant), 404)
    assert_problem(client.post("/v1/leases/L1/receipts/SJ-1/correction", json=fix | {
        "reason": " "}, headers=accountant), 422)
    catch_up()
    rent = [v for v in client.get("/v1/units/tc/vouchers", headers=accountant).json()
            if v["kind"].startswith("rent_received")]
    assert [(v["kind"], [(e["account"], e["debit_fen"], e["credit_fen"]) for e in v["lines"]])
            for v in rent] == [
        ("rent_received", [("101", 300000, 0), ("113", 0, 300000)]),
        ("rent_received_reversal", [("101", -300000, 0), ("113", 0, -300000)]),
        ("rent_received", [("102", 360000, 0), ("113", 0, 360000)])]
    assert rent[1]["ref"].endswith("#reversal") and rent[2]["ref"].endswith("#corrected")
    assert client.get("/v1/units/tc/arrears", headers=accountant).json() == [
        {"tenant": "李记农资", "arrears_fen": 3 * 180000 - 360000}]


def test_an_asset_card_is_kept_per_unit_and_lists_the_leases_that_name_it(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth,
        catch_up: Callable[[], Any]) -> None:
    card = {"unit_id": "tc", "name": "唐昌镇正街12号门面", "kind": "shop_front",
            "location": "唐昌镇正街12号", "area_m2": 85, "value_fen": 36000000,
            "acquired": "1998-06"}
    put = client.put("/v1/assets/A-12", json=card, headers=accountant)
    assert put.status_code == 200, put.text
    assert put.json() == {"asset_id": "A-12", **card}
    assert client.put("/v1/assets/A-12", json=card | {"area_m2": 90},
                      headers=accountant).json()["area_m2"] == 90
    for bad in ({"kind": "castle"}, {"acquired": "1998-13"}, {"value_fen": -1},
                {"area_m2": 0}, {"extra": 1}):
        assert_problem(client.put("/v1/assets/A-13", json=card | bad, headers=accountant), 422)
    assert_problem(client.put("/v1/assets/A-13", json=card | {"unit_id": "other"},
                              headers=accountant), 403)
    assert client.put("/v1/units/other", json={"name": "别处", "kind": "village"},
                      headers=auth("admin")).status_code == 200
    assert_problem(client.put("/v1/assets/A-12", json=card | {"unit_id": "other"},
                              headers=auth("admin")), 409)
    assert client.put("/v1/leases/L7", headers=accountant, json={
        "unit_id": "tc", "asset": "A-12", "tenant": "李记农资", "monthly_rent_fen": 180000,
        "starts": "2026-01", "ends": "2026-12"}).status_code == 200
    catch_up()
    [listed] = client.get("/v1/units/tc/assets", headers=accountant).json()
    assert listed == {"asset_id": "A-12", **card, "area_m2": 90, "leases": [
        {"lease_id": "L7", "tenant": "李记农资", "monthly_rent_fen": 180000,
         "starts": "2026-01", "ends": "2026-12"}]}
    assert client.get("/v1/units/other/assets", headers=auth("admin")).json() == []
    assert_problem(client.get("/v1/units/other/assets", headers=accountant), 403)


def test_a_member_reads_their_own_account_and_refund_in_each_unit_and_no_one_elses(
        client: TestClient, books: None, accountant: dict[str, str], auth: Auth,
        catch_up: Callable[[], Any]) -> None:
    year = int(moment(-1)[:4])
    client.post("/v1/units/tc/members/zhang/capital", headers=accountant, json={
        "amount_fen": 100000, "paid_at": moment(-1), "method": "cash", "reference": "GJ-9"})
    plan = client.put(f"/v1/units/tc/distribution-plans/{year}", json=PLAN, headers=accountant).json()
    catch_up()

    own = client.get("/v1/farmers/zhang/member-account", params={"year": year},
                     headers=auth("farmer"))

    assert own.status_code == 200, own.text
    [unit] = own.json()["units"]
    line = next(x for x in plan["lines"] if x["member_id"] == "zhang")
    assert (unit["unit_id"], unit["unit_name"], unit["capital_fen"], unit["trade_fen"]) == (
        "tc", "唐昌供销社", 100000, 2800)
    assert unit["refund"] == {"patronage_fen": line["patronage_fen"], "step": "drafted",
                              "remainder_fen": line["remainder_fen"], "total_fen": line["total_fen"]}
    assert client.post(f"/v1/units/tc/distribution-plans/{year}/approval", headers=auth("admin"),
                       json={"approved_at": moment(-1), "meeting": "成员大会"}).status_code == 200
    again = client.get("/v1/farmers/zhang/member-account", params={"year": year},
                       headers=auth("farmer")).json()
    assert again["units"][0]["refund"]["step"] == "approved"
    assert_problem(client.get("/v1/farmers/zhang/member-account", params={"year": year},
                              headers=auth("farmer-wang")), 403)
    assert_problem(client.get("/v1/farmers/nobody/member-account", params={"year": year},
                              headers=auth("admin")), 404)
    assert client.get("/v1/farmers/wang/member-account", params={"year": year - 1},
                      headers=auth("farmer-wang")).json()["units"] == []


def _lines(voucher: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(e["account"], e["debit_fen"], e["credit_fen"]) for e in voucher["lines"]]


def test_a_corrected_input_sale_reverses_its_sale_and_cost_and_the_lot_follows(
        client: TestClient, app: Gongxiao, books: None, accountant: dict[str, str], auth: Auth,
        catch_up: Callable[[], Any]) -> None:
    [sale] = [v for v in client.get("/v1/units/tc/vouchers", headers=accountant).json()
              if v["kind"] == "input_sale"]
    sale_id = sale["ref"].split("/")[0]
    fix = {"shop_id": "shop", "lines": [{"quantity": 3, "unit_price_fen": 2700}],
           "reason": "少录两瓶", "corrected_at": moment(-1, 2)}
    key = {**auth("shop"), "Idempotency-Key": "fix-1"}
    corrected = client.post(f"/v1/input-sales/{sale_id}/correction", json=fix, headers=key)
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["total_fen"] == 8100
    before = events(app)
    again = client.post(f"/v1/input-sales/{sale_id}/correction", json=fix, headers=key)
    assert again.json() == corrected.json() and again.headers["Idempotent-Replayed"] == "true"
    for body, status in ((fix | {"lines": [{"quantity": 5, "unit_price_fen": 2700}]}, 409),
                         (fix | {"lines": [{"quantity": 0, "unit_price_fen": 2700}]}, 422),
                         (fix | {"lines": [{"quantity": 3, "unit_price_fen": 1}] * 2}, 422),
                         (fix | {"reason": " "}, 422)):
        assert_problem(client.post(f"/v1/input-sales/{sale_id}/correction", json=body,
                                   headers=auth("shop")), status)
    assert_problem(client.post("/v1/input-sales/nope/correction", json=fix,
                               headers=auth("shop")), 404)
    assert events(app) == before
    catch_up()
    vouchers = client.get("/v1/units/tc/vouchers", headers=accountant).json()
    kinds = [v["kind"] for v in vouchers]
    red = next(v for v in vouchers if v["kind"] == "input_sale_reversal")
    new = vouchers[kinds.index("input_sale", kinds.index("input_sale_reversal"))]
    assert _lines(red) == [("114", -2800, 0), ("501", 0, -2800)]
    assert _lines(new) == [("114", 8100, 0), ("501", 0, 8100)]
    cost_red = next(v for v in vouchers if v["kind"] == "input_cost_reversal")
    cost_new = vouchers[kinds.index("input_cost", kinds.index("input_cost_reversal"))]
    assert (_lines(cost_red), _lines(cost_new)) == (
        [("521", -2000, 0), ("121", 0, -2000)], [("521", 6000, 0), ("121", 0, 6000)])
    balance = client.get("/v1/units/tc/trial-balance", headers=accountant).json()
    closing = {a["account"]: a["closing_fen"] for a in balance["accounts"]}
    assert balance["balanced"] and (closing["114"], closing["121"]) == (8100, 8000 - 6000)
    [held] = client.get("/v1/input-stock", params={"lot": "L1"}, headers=auth("shop")).json()
    assert (held["on_hand"], held["on_hand_cost_fen"]) == (1, 2000)
    [zhang] = client.get("/v1/units/tc/member-accounts", params={"year": int(moment(-1)[:4])},
                         headers=accountant).json()
    assert [(t["quantity"], t["amount_fen"]) for t in zhang["transactions"]] == [(3, 8100)]
    earnings = client.get("/v1/farmers/zhang/earnings", headers=auth("admin")).json()
    assert earnings["input_credit_fen"] == 8100


def test_a_payment_recorded_wrong_is_reversed_and_paid_anew_in_the_districts_books(
        client: TestClient, app: Gongxiao, books: None, auth: Auth,
        catch_up: Callable[[], Any]) -> None:
    client.post("/v1/farmers/zhang/payments", headers=auth("admin"), json={
        "amount_fen": 50000, "paid_at": moment(-1), "method": "cash", "reference": "P-1"})
    fix = {"amount_fen": 45000, "method": "bank_transfer", "reason": "录错金额",
           "corrected_at": moment(-1, 1)}
    headers = {**auth("admin"), "Idempotency-Key": "pay-fix-1"}
    corrected = client.post("/v1/farmers/zhang/payments/P-1/correction", json=fix,
                            headers=headers)
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == {"farmer_id": "zhang", "reference": "P-1", "amount_fen": 45000,
                                "method": "bank_transfer"}
    before = events(app)
    assert client.post("/v1/farmers/zhang/payments/P-1/correction", json=fix,
                       headers=headers).json() == corrected.json()
    assert_problem(client.post("/v1/farmers/zhang/payments/P-9/correction", json=fix,
                               headers=auth("admin")), 404)
    assert_problem(client.post("/v1/farmers/zhang/payments/P-1/correction",
                               json=fix | {"amount_fen": 0}, headers=auth("admin")), 422)
    assert_problem(client.post("/v1/farmers/zhang/payments/P-1/correction", json=fix,
                               headers=auth("shop")), 403)
    assert events(app) == before
    catch_up()
    paid = [v for v in client.get("/v1/units/district/vouchers", headers=auth("admin")).json()
            if v["kind"].startswith("farmer_payment")]
    assert [(v["kind"], _lines(v)) for v in paid] == [
        ("farmer_payment", [("114", 50000, 0), ("101", 0, 50000)]),
        ("farmer_payment_reversal", [("114", -50000, 0), ("101", 0, -50000)]),
        ("farmer_payment", [("114", 45000, 0), ("102", 0, 45000)])]
    earnings = client.get("/v1/farmers/zhang/earnings", headers=auth("admin")).json()
    assert earnings["paid_fen"] == 45000


def test_a_capital_contribution_recorded_wrong_is_reversed_and_posted_anew(
        client: TestClient, app: Gongxiao, books: None, accountant: dict[str, str],
        catch_up: Callable[[], Any]) -> None:
    client.post("/v1/units/tc/members/zhang/capital", headers=accountant, json={
        "amount_fen": 100000, "paid_at": moment(-1), "method": "cash", "reference": "GJ-1"})
    fix = {"amount_fen": 120000, "method": "cash", "reason": "少录",
           "corrected_at": moment(-1, 1)}
    url = "/v1/units/tc/members/zhang/capital/GJ-1/correction"
    corrected = client.post(url, json=fix, headers={**accountant, "Idempotency-Key": "g-1"})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["capital_fen"] == 120000
    before = events(app)
    assert_problem(client.post("/v1/units/tc/members/zhang/capital/GJ-9/correction", json=fix,
                               headers=accountant), 404)
    assert_problem(client.post(url, json=fix | {"method": "现金"}, headers=accountant), 422)
    assert events(app) == before
    catch_up()
    capital = [v for v in client.get("/v1/units/tc/vouchers", headers=accountant).json()
               if v["kind"].startswith("capital_contribution")]
    assert [_lines(v) for v in capital] == [
        [("101", 100000, 0), ("301", 0, 100000)], [("101", -100000, 0), ("301", 0, -100000)],
        [("101", 120000, 0), ("301", 0, 120000)]]
    [zhang] = client.get("/v1/units/tc/member-accounts", params={"year": int(moment(-1)[:4])},
                         headers=accountant).json()
    assert zhang["capital_fen"] == 120000


def test_an_asset_card_posts_its_value_as_a_fixed_asset_and_a_correction_reposts_it(
        client: TestClient, app: Gongxiao, books: None, accountant: dict[str, str],
        catch_up: Callable[[], Any]) -> None:
    card = {"unit_id": "tc", "name": "唐昌镇正街12号门面", "kind": "shop_front",
            "location": "唐昌镇正街12号", "area_m2": 85, "value_fen": 36000000,
            "acquired": "1998-06"}
    assert client.put("/v1/assets/A-12", json=card, headers=accountant).status_code == 200
    client.put("/v1/assets/A-12", json=card | {"area_m2": 90}, headers=accountant)  # no value
    client.put("/v1/assets/A-12", json=card | {"value_fen": 34000000}, headers=accountant)
    before = events(app)
    assert_problem(client.put("/v1/assets/A-12", json=card | {"value_fen": -1},
                              headers=accountant), 422)
    assert events(app) == before
    catch_up()
    posted = [(v["kind"], _lines(v)) for v in client.get("/v1/units/tc/vouchers",
                                                         headers=accountant).json()
              if v["kind"].startswith("asset")]
    assert posted == [
        ("asset_acquired", [("151", 36000000, 0), ("102", 0, 36000000)]),
        ("asset_acquired_reversal", [("151", -36000000, 0), ("102", 0, -36000000)]),
        ("asset_acquired", [("151", 34000000, 0), ("102", 0, 34000000)])]
    balance = client.get("/v1/units/tc/trial-balance", headers=accountant).json()
    closing = {a["account"]: (a["name"], a["closing_fen"]) for a in balance["accounts"]}
    assert balance["balanced"] and closing["151"] == ("固定资产", 34000000)
