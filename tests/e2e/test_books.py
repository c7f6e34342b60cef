"""The books screen (``/books``) in a real browser on the demo week: the trial balance the
screen shows is the API's, with equal totals; a ledger line opens its voucher and the event it
was posted from; the distribution plan shows its members by name and its step."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl

from tests.e2e.conftest import ARTIFACTS, Served


def _sign_in(page: Any, served: Served, role: str, unit: str) -> None:
    page.goto(f"{served.url}/books")
    page.fill("#token", served.tokens[role])
    page.fill("#site", unit)
    page.click("#token-form button")
    page.wait_for_selector("#trial-rows tr[data-account]")


def _period(page: Any) -> dict[str, str]:
    """The period the screen shows, as the API's query (the browser runs in Asia/Shanghai)."""
    return {"from": f"{page.input_value('input[name=from]')}T00:00:00+08:00",
            "to": f"{page.input_value('input[name=to]')}T23:59:59.999+08:00"}


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def _table(page: Any, selector: str) -> list[list[str]]:
    return [[c.strip() for c in row] for row in page.eval_on_selector_all(
        f"{selector} tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText))")]


def test_the_trial_balance_of_the_demo_week_has_equal_totals_and_is_the_apis(
        served: Served, page: Any) -> None:
    for unit in ("nongzi", "yongan-coop", "district"):
        if unit == "nongzi":
            _sign_in(page, served, "admin", unit)
        else:
            page.select_option("#unit", unit)
            page.click("#period button")
            page.wait_for_function("u => document.querySelector('#trial-head').textContent"
                                   ".startsWith(document.querySelector('#unit option:checked').textContent)",
                                   arg=unit)
            page.wait_for_selector("#result.ok")
        with served.client("admin") as http:
            api = http.get(f"/v1/units/{unit}/trial-balance", params=_period(page)).json()

        assert api["balanced"] and api["debit_fen"] == api["credit_fen"] > 0, api
        debit, credit = page.inner_text("#trial-debit"), page.inner_text("#trial-credit")
        assert debit == credit == _yuan(api["debit_fen"])
        assert "借方合计等于贷方合计" in page.inner_text("#trial-balanced")
        assert _table(page, "#trial-rows") == [
            [f"{a['account']} {a['name']}", _yuan(a["opening_fen"]), _yuan(a["debit_fen"]),
             _yuan(a["credit_fen"]), _yuan(a["closing_fen"])] for a in api["accounts"]]
    page.screenshot(path=str(ARTIFACTS / "books_trial_balance.png"), full_page=True)


def test_the_forms_to_file_show_each_line_as_the_api_and_download_as_a_workbook(
        served: Served, page: Any) -> None:
    _sign_in(page, served, "admin", "yongan-coop")
    page.click("nav.tabs a[href='#forms']")
    page.wait_for_selector("#sheet-rows tr[data-line]")
    with served.client("admin") as http:
        api = http.get("/v1/units/yongan-coop/statements", params={"to": _period(page)["to"]}).json()
        codes = [a["account"] for a in http.get("/v1/units/yongan-coop/trial-balance",
                                                   params=_period(page)).json()["accounts"]]
    forms = api["forms"]
    assert forms["balanced"] and not forms["unmapped"], forms

    def item(line: dict[str, Any]) -> str:  # the item, then the accounts it reads, as links
        return " ".join([line["item"], *(c for c in codes if c.startswith(tuple(line["accounts"])))])

    assert _table(page, "#sheet-rows") == [
        [str(line["line"]), item(line), _yuan(line["opening_fen"]), _yuan(line["closing_fen"])]
        for line in forms["balance_sheet"]]
    assert _table(page, "#surplus-rows") == [
        [str(line["line"]), item(line), _yuan(line["amount_fen"])] for line in forms["surplus"]]
    totals = page.eval_on_selector_all("#sheet-rows tr.total th", "cells => cells.map(c => c.innerText)")
    assert "资产总计" in totals and "负债和所有者权益总计" in totals
    assert "资产总计等于负债和所有者权益总计" in page.inner_text("#forms-balanced")
    with page.expect_download() as downloading:
        page.click("#forms-xlsx")
    download = downloading.value
    assert download.suggested_filename == f"statements-yongan-coop-{forms['year']}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    assert book.sheetnames == ["资产负债表", "盈余及盈余分配表"]
    rows = [list(r) for r in book["资产负债表"].iter_rows(values_only=True)][2:]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (line["line"], line["item"], line["closing_fen"]) for line in forms["balance_sheet"]]
    page.screenshot(path=str(ARTIFACTS / "books_forms.png"), full_page=True)
    page.click("#sheet-rows tr[data-line='31'] a:text-is('114')")  # 应付款项 drills down
    page.wait_for_selector("#ledger-rows a[data-voucher]")
    assert page.input_value("#account") == "114"


def test_a_ledger_line_leads_to_its_voucher_and_the_event_it_was_posted_from(
        served: Served, page: Any) -> None:
    _sign_in(page, served, "admin", "yongan-coop")
    page.click("#trial-rows tr[data-account='114'] a")  # 成员往来: what the members earned
    page.wait_for_selector("#ledger-rows a[data-voucher]")
    with served.client("admin") as http:
        ledger = http.get("/v1/units/yongan-coop/ledger/114", params=_period(page)).json()
    rows = _table(page, "#ledger-rows")
    assert [r[1] for r in rows] == [line["number"] for line in ledger["lines"]]
    assert any("张德明" in r[2] for r in rows)  # the member's sub-account by name, not f-zhang
    closing = page.inner_text("#trial-rows tr[data-account='114'] td:last-child")
    assert rows[-1][5] == closing  # the running balance ends where the trial balance closes

    last = ledger["lines"][-1]
    page.click(f"#ledger-rows a[data-voucher='{last['number']}']")
    page.wait_for_selector("#voucher-event[data-event]")

    with served.client("admin") as http:
        month = http.get("/v1/units/yongan-coop/vouchers", params={"month": last["number"][:7]}).json()
        event = http.get("/v1/events", params={"after": last["event_id"] - 1, "limit": 1}).json()[0]
    voucher = next(v for v in month if v["number"] == last["number"])
    assert page.get_attribute("#voucher", "data-number") == last["number"]
    assert page.get_attribute("#voucher-event", "data-event") == event["event_type"]
    assert f"#{last['event_id']}" in page.inner_text("#voucher-event")
    shown = _table(page, "#voucher-lines")
    assert [(r[0].split()[0], r[2], r[3]) for r in shown] == [
        (line["account"], _yuan(line["debit_fen"]) if line["debit_fen"] else "",
         _yuan(line["credit_fen"]) if line["credit_fen"] else "") for line in voucher["lines"]]
    assert sum(line["debit_fen"] for line in voucher["lines"]) == sum(
        line["credit_fen"] for line in voucher["lines"])
    page.screenshot(path=str(ARTIFACTS / "books_voucher.png"), full_page=True)


def test_an_accountant_sees_their_own_unit_and_its_distribution_plan_by_step(
        served: Served, page: Any) -> None:
    _sign_in(page, served, "accountant", "nongzi")
    assert page.input_value("#unit") == "nongzi"
    assert page.inner_text("#trial-head").startswith("区农资有限公司")  # the unit by its name
    closing = page.inner_text("#trial-rows tr[data-account='211'] td:last-child")  # 应付款, a credit account
    page.click("#trial-rows tr[data-account='211'] a")
    page.wait_for_selector("#ledger-rows a[data-voucher]")
    assert _table(page, "#ledger-rows")[-1][5] == closing and not closing.startswith("-")
    page.click("a[href='#stock']")  # the unit's own input stock, which the accountant may read
    page.wait_for_selector("#stock-rows tr td:nth-child(4)")
    with served.client("admin") as http:
        stock = http.get("/v1/units/nongzi/input-stock").json()
    assert stock and len(_table(page, "#stock-rows")) == len(stock)
    assert [r[3] for r in _table(page, "#stock-rows")] == [_yuan(r["on_hand_cost_fen"]) for r in stock]
    year = page.input_value("input[name=to]")[:4]
    with served.client("admin") as http:
        members = {"f-zhang": {"trade_fen": 232400, "capital_fen": 50000},
                   "f-li": {"trade_fen": 94400, "capital_fen": 20000, "reserve_share_fen": 10000}}
        drafted = http.put(f"/v1/units/nongzi/distribution-plans/{year}", headers={
            "Idempotency-Key": "books-screen-plan"}, json={
            "surplus_fen": 1_000_001, "losses_fen": 0, "reserve_fen": 100_000,
            "patronage_share": "0.6", "members": members})
    assert drafted.status_code == 200, drafted.text
    plan = drafted.json()

    page.click("a[href='#plan']")
    page.click("#period button")
    page.wait_for_selector("#plan-steps li.on")
    assert page.get_attribute("#plan-steps li[aria-current=step]", "data-step") == "draft"
    names = {"f-zhang": "张德明", "f-li": "李秀英"}
    assert sorted(_table(page, "#plan-rows")) == sorted(
        [[names[line["member_id"]], _yuan(line["trade_fen"]), _yuan(line["patronage_fen"]),
          _yuan(line["by_capital_fen"]), _yuan(line["by_reserve_fen"]),
          _yuan(line["by_subsidy_fen"]), _yuan(line["total_fen"])] for line in plan["lines"]])
    assert sum(line["total_fen"] for line in plan["lines"]) == plan["distributable_fen"]
    li = next(line for line in plan["lines"] if line["member_id"] == "f-li")
    assert li["by_reserve_fen"] > 0 and li["patronage_fen"] + li["by_capital_fen"] + \
        li["by_reserve_fen"] + li["by_subsidy_fen"] == li["total_fen"]
    page.screenshot(path=str(ARTIFACTS / "books_plan_draft.png"), full_page=True)

    with served.client("admin") as http:
        approved = http.post(f"/v1/units/nongzi/distribution-plans/{year}/approval", headers={
            "Idempotency-Key": "books-screen-approval"}, json={
            "approved_at": datetime.now(UTC).isoformat(), "meeting": "成员大会"})
    assert approved.status_code == 200, approved.text
    page.click("#period button")
    page.wait_for_selector("#plan-steps li[data-step=approved][aria-current=step]")
    assert page.eval_on_selector_all("#plan-steps li.on", "ls => ls.map(l => l.dataset.step)") == [
        "draft", "approved"]


def test_the_farmers_page_shows_their_member_account_in_each_unit(served: Served, page: Any) -> None:
    page.goto(f"{served.url}/farmer")
    page.fill("#token", served.tokens["farmer"])
    page.fill("#site", "f-zhang")
    page.click("#token-form button")
    page.wait_for_selector("#member tr td:nth-child(4)")
    year = page.evaluate("new Date().getFullYear()")
    with served.client("farmer") as http:
        units = http.get("/v1/farmers/f-zhang/member-account", params={"year": year}).json()["units"]

    assert any(u["unit_name"] == "永安村专业合作社" and u["trade_fen"] > 0 for u in units), units
    assert [r[:3] for r in _table(page, "#member")] == [
        [u["unit_name"], _yuan(u["capital_fen"]), _yuan(u["trade_fen"])] for u in units]
    page.screenshot(path=str(ARTIFACTS / "farmer_member_account.png"), full_page=True)


def test_a_plan_is_drafted_approved_and_converted_into_capital_on_the_screen(
        served: Served, page: Any) -> None:
    this_year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    with served.client("admin") as http:  # 张德明's quantified reserve share, kept per member
        assert http.put(f"/v1/units/yongan-coop/members/f-zhang/reserve-shares/{this_year}",
                        json={"amount_fen": 4321}).status_code == 200
    _sign_in(page, served, "admin", "yongan-coop")
    page.click("a[href='#plan']")
    page.wait_for_selector("#plan-draft:not([hidden]) #draft-members tr[data-member]")
    assert page.input_value("#draft-members tr[data-member='f-zhang'] input[name=reserve_share]") \
        == "43.21"  # offered to the plan from the member account
    assert page.is_hidden("#plan-approve") and page.is_hidden("#plan-settle")
    year = page.input_value("input[name=to]")[:4]
    with served.client("admin") as http:
        accounts = http.get("/v1/units/yongan-coop/member-accounts", params={"year": year}).json()
    shown = _table(page, "#draft-members")
    assert [r[1:3] for r in shown] == [[_yuan(a["trade_fen"]), _yuan(a["capital_fen"])]
                                       for a in accounts]
    assert any(r[0] == "张德明" for r in shown)  # members by name
    first = accounts[0]["farmer_id"]

    page.fill("#plan-draft input[name=surplus]", "10000.01")
    page.fill("#plan-draft input[name=reserve]", "1000")
    page.fill("#plan-draft input[name=share]", "70")
    page.fill(f"#draft-members tr[data-member='{first}'] input[name=reserve_share]", "12.5")
    page.fill(f"#draft-members tr[data-member='{first}'] input[name=subsidy]", "abc")
    page.click("#plan-draft button")
    page.wait_for_selector("#result.bad")  # not an amount: nothing sent
    with served.client("admin") as http:
        assert http.get(f"/v1/units/yongan-coop/distribution-plans/{year}").status_code == 404
    page.fill(f"#draft-members tr[data-member='{first}'] input[name=subsidy]", "0")
    page.click("#plan-draft button")
    page.wait_for_selector("#plan-steps li[data-step=draft][aria-current=step]")
    with served.client("admin") as http:
        plan = http.get(f"/v1/units/yongan-coop/distribution-plans/{year}").json()
    assert (plan["surplus_fen"], plan["reserve_fen"], plan["distributable_fen"]) == (
        1_000_001, 100_000, 900_001)
    assert float(plan["patronage_share"]) == 0.7
    assert sum(line["total_fen"] for line in plan["lines"]) == 900_001  # to the fen
    assert sum(line["patronage_fen"] for line in plan["lines"]) == round(900_001 * 0.7)
    assert page.is_visible("#plan-approve") and page.is_hidden("#plan-settle")

    page.fill("#plan-approve input[name=meeting]", "2026年成员大会")
    page.click("#plan-approve button")
    page.wait_for_selector("#plan-steps li[data-step=approved][aria-current=step]")
    assert page.is_hidden("#plan-draft") and page.is_visible("#plan-settle")
    page.select_option("#plan-settle select[name=how]", "converted")
    page.click("#plan-settle button")
    page.wait_for_selector("#plan-steps li[data-step=settled][aria-current=step]")
    assert page.is_hidden("#plan-settle") and page.is_hidden("#plan-approve")
    with served.client("admin") as http:
        settled = http.get(f"/v1/units/yongan-coop/distribution-plans/{year}").json()
    assert settled["settled"] == "converted" and settled["approved_at"] is not None
    page.screenshot(path=str(ARTIFACTS / "books_plan_settled.png"), full_page=True)
