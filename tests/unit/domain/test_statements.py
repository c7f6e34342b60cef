"""The forms a unit files (会农社01表, 02表) read line by line from a year's trial balance: a
worked example whose every line was figured by hand, and what the forms make of an account
no line reads."""

from __future__ import annotations

from typing import Any

from domain.books import DEFAULT_CHART, balance_fen, check_balanced, line
from domain.statements import forms

SIDES = {a["code"]: a["side"] for a in DEFAULT_CHART} | {"151": "debit", "999": "debit",
                                                    "10201": "debit"}

LAST_YEAR = [  # balances brought into the year
    [line("102", debit=100000), line("301", credit=100000)],  # capital paid in
    [line("121", debit=30000), line("211", credit=30000)],  # inputs bought on credit
    [line("114", debit=12000, sub="member:m1"), line("501", credit=12000)],  # sold to m1 on credit
    [line("521", debit=8000), line("121", credit=8000)],  # at their cost
]
THIS_YEAR = [
    [line("121", debit=50000), line("114", credit=50000, sub="member:m2")],  # m2's produce bought
    [line("101", debit=70000), line("501", credit=70000)],  # sold at an outlet
    [line("521", debit=40000), line("121", credit=40000)],  # at its cost
    [line("114", debit=30000, sub="member:m2"), line("102", credit=30000)],  # m2 paid in part
    [line("522", debit=1000), line("101", credit=1000)],  # office costs
    [line("151", debit=20000), line("102", credit=20000)],  # a cold room bought
    [line("332", debit=9000), line("221", credit=6000), line("222", credit=3000)],  # distribution
]


def trial_balance(before: list[list[dict[str, Any]]],
                  during: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """What the books view answers for the year: per account, opening and closing on its
    side, the year's debits and credits."""
    for voucher in before + during:
        check_balanced(voucher)
    sums: dict[str, list[int]] = {}
    for index, lines in enumerate((before, during)):
        for entry in (e for voucher in lines for e in voucher):
            row = sums.setdefault(entry["account"], [0, 0, 0, 0])
            row[2 * index] += entry["debit_fen"]
            row[2 * index + 1] += entry["credit_fen"]
    return [{"account": code, "side": SIDES[code],
             "opening_fen": balance_fen(SIDES[code], d0, c0), "debit_fen": d, "credit_fen": c,
             "closing_fen": balance_fen(SIDES[code], d0 + d, c0 + c)}
            for code, (d0, c0, d, c) in sorted(sums.items())]


def members(*vouchers: list[list[dict[str, Any]]]) -> dict[str, int]:
    """Each member's 成员往来 balance (debit less credit) after these vouchers."""
    balances: dict[str, int] = {}
    for entry in (e for lines in vouchers for voucher in lines for e in voucher):
        if entry["account"] == "114":
            balances[entry["sub"]] = balances.get(entry["sub"], 0) + entry["debit_fen"] - entry[
                "credit_fen"]
    return balances


def test_the_balance_sheet_reads_each_line_from_its_accounts_at_the_year_start_and_now() -> None:
    filed = forms(trial_balance(LAST_YEAR, THIS_YEAR),
                  (members(LAST_YEAR), members(LAST_YEAR, THIS_YEAR)))
    sheet = {row["line"]: (row["opening_fen"], row["closing_fen"]) for row in filed["balance_sheet"]}
    assert sheet[1] == (100000, 119000)  # 货币资金: cash and bank
    assert sheet[5] == (12000, 12000)  # 应收款项: m1 still owes for the inputs
    assert sheet[6] == (22000, 32000)  # 存货
    assert sheet[10] == (134000, 163000)
    assert sheet[16] == sheet[20] == sheet[25] == sheet[28] == (0, 20000)
    assert sheet[29] == sheet[54] == (134000, 183000)  # 资产总计 = 负债和所有者权益总计
    assert sheet[31] == (30000, 50000)  # 应付款项: the supplier, and what the co-op owes m2
    assert (sheet[33], sheet[35], sheet[43]) == ((0, 6000), (0, 3000), (30000, 59000))
    assert sheet[44] == (100000, 100000)  # 股金
    assert sheet[50] == (4000, 24000)  # 未分配盈余: surplus not yet carried counts
    assert sheet[51] == (104000, 124000)
    assert filed["balanced"] is True and filed["unmapped"] == []
    reads = {row["line"]: row["accounts"] for row in filed["balance_sheet"]}
    assert (reads[1], reads[5], reads[29]) == (["101", "102", "109"], ["113", "114"], [])
    netted = {row["line"]: row["closing_fen"]  # without the members' balances: the net one
              for row in forms(trial_balance(LAST_YEAR, THIS_YEAR))["balance_sheet"]}
    assert (netted[5], netted[31], netted[29], netted[54]) == (0, 38000, 171000, 171000)
    assert [row["line"] for row in filed["balance_sheet"]] == [
        1, 5, 6, 10, 11, 12, 13, 15, 16, 17, 20, 21, 22, 25, 27, 28, 29,
        30, 31, 32, 33, 35, 36, 40, 41, 42, 43, 44, 45, 46, 47, 50, 51, 54]


def test_the_surplus_form_ends_at_the_undistributed_surplus_the_balance_sheet_shows() -> None:
    filed = forms(trial_balance(LAST_YEAR, THIS_YEAR))
    surplus = {row["line"]: row["amount_fen"] for row in filed["surplus"]}
    assert (surplus[1], surplus[5], surplus[6]) == (70000, 40000, 1000)
    assert surplus[10] == surplus[15] == surplus[16] == 29000  # 经营收益, 本年盈余
    assert (surplus[17], surplus[18], surplus[21]) == (4000, 0, 33000)  # 可分配盈余
    assert (surplus[22], surplus[23], surplus[24]) == (0, 6000, 3000)
    closing = {row["line"]: row["closing_fen"] for row in filed["balance_sheet"]}
    assert surplus[28] == closing[50] == 24000  # 年末未分配盈余


def test_an_account_no_line_reads_is_named_and_the_sheet_does_not_pretend_to_balance() -> None:
    stray = [[line("999", debit=500), line("501", credit=500)]]
    filed = forms(trial_balance(LAST_YEAR, THIS_YEAR + stray))
    assert filed["unmapped"] == ["999"]
    assert filed["balanced"] is False
    finer = [[line("10201", debit=700), line("101", credit=700)]]  # a district's finer code
    sheet = {row["line"]: row["closing_fen"]
             for row in forms(trial_balance(LAST_YEAR, THIS_YEAR + finer))["balance_sheet"]}
    assert sheet[1] == 119000 and sheet[29] == sheet[54]
