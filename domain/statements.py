"""The statements a unit files, in the layout the cooperative accounting system prescribes:
the balance sheet (资产负债表, 会农社01表) at a date beside the start of its year, and the surplus
and its distribution (盈余及盈余分配表, 会农社02表) for the year up to that date. Each line keeps
the form's own number (行次), so a filed form and this one read line for line.

Both are read from a trial balance of the year (each account's opening and closing balance and
the year's debits and credits). An account counts on a line by its first three digits, so a
district's finer codes (``10201`` under 银行存款) fall on their parent's line. Rules of the
forms that decide more than a sum:
- 成员往来 (114) is read member by member: what members owe the unit (their debit balances)
  is 应收款项, what it owes them (their credit balances) is 应付款项 — given the members'
  balances (``members``), else the account's net balance on its side;
- income and expenses not yet carried to 本年盈余 count in 未分配盈余, so the sheet balances
  on any day of the year, not only after the year-end closing;
- 其他转入 is what 盈余分配 was credited in the year (a reserve used to make up a loss); the
  amounts taken from 可分配盈余 are what the year credited to 盈余公积, 应付盈余返还 and
  应付剩余盈余 — the distribution's own voucher.
An account of the chart no line reads is named in ``unmapped``: the sheet cannot balance
without it, and the accountant sees which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MEMBERS = "114"  # 成员往来: one sub-account per member, read member by member
Balances = Mapping[str, int]  # account code → balance on the debit side (credits negative)


@dataclass(frozen=True)
class Figure:
    """How a line is figured from the balances and the lines before it, and which accounts
    (by code prefix) it reads: where its figure drills down to."""
    figure: Callable[[Balances, dict[int, int]], int]
    codes: tuple[str, ...] = ()

    def __call__(self, balances: Balances, done: dict[int, int]) -> int:
        return self.figure(balances, done)


def _debit(*codes: str) -> Figure:
    return Figure(lambda b, _: sum(v for code, v in b.items() if code.startswith(codes)), codes)


def _credit(*codes: str) -> Figure:
    return Figure(lambda b, _: -sum(v for code, v in b.items() if code.startswith(codes)), codes)


def _lines(*plus: int, minus: tuple[int, ...] = ()) -> Figure:
    return Figure(lambda _, done: sum(done[n] for n in plus) - sum(done[n] for n in minus))


def _side(code: str, *, side: str) -> Figure:
    """The balances on one side of an account read sub-account by sub-account (成员往来): the
    sum the caller gave as ``{code}/{side}``, else the account's net balance on that side."""
    sign = 1 if side == "debit" else -1
    return Figure(lambda b, _: b[f"{code}/{side}"] if f"{code}/{side}" in b else max(
        sign * sum(v for c, v in b.items() if c.startswith(code)), 0), (code,))


def _plus(*figures: Figure) -> Figure:
    return Figure(lambda b, done: sum(f(b, done) for f in figures),
                  tuple(code for f in figures for code in f.codes))


BALANCE_SHEET: tuple[tuple[int, str, Figure], ...] = (
    (1, "货币资金", _debit("101", "102", "109")),
    (5, "应收款项", _plus(_debit("113"), _side(MEMBERS, side="debit"))),
    (6, "存货", _debit("121", "124", "125", "127", "128", "4")),
    (10, "流动资产合计", _lines(1, 5, 6)),
    (11, "对外投资", _debit("131")),
    (12, "牲畜(禽)资产", _debit("141")),
    (13, "林木资产", _debit("142")),
    (15, "农业资产合计", _lines(12, 13)),
    (16, "固定资产原值", _debit("151")),
    (17, "减：累计折旧", _credit("152")),
    (20, "固定资产净值", _lines(16, minus=(17,))),
    (21, "固定资产清理", _debit("154")),
    (22, "在建工程", _debit("153")),
    (25, "固定资产合计", _lines(20, 21, 22)),
    (27, "无形资产", _debit("161")),
    (28, "长期资产合计", _lines(11, 15, 25, 27)),
    (29, "资产总计", _lines(10, 28)),
    (30, "短期借款", _credit("201")),
    (31, "应付款项", _plus(_credit("211"), _side(MEMBERS, side="credit"))),
    (32, "应付工资", _credit("212")),
    (33, "应付盈余返还", _credit("221")),
    (35, "应付剩余盈余", _credit("222")),
    (36, "流动负债合计", _lines(30, 31, 32, 33, 35)),
    (40, "长期借款", _credit("231")),
    (41, "专项应付款", _credit("235")),
    (42, "长期负债合计", _lines(40, 41)),
    (43, "负债合计", _lines(36, 42)),
    (44, "股金", _credit("301")),
    (45, "专项基金", _credit("311")),
    (46, "资本公积", _credit("321")),
    (47, "盈余公积", _credit("322")),
    (50, "未分配盈余", _credit("331", "332", "5")),
    (51, "所有者权益合计", _lines(44, 45, 46, 47, 50)),
    (54, "负债和所有者权益总计", _lines(43, 51)),
)
ASSETS_TOTAL, CLAIMS_TOTAL, UNDISTRIBUTED = 29, 54, 50
# What the balance sheet's lines read, by prefix: any other account with a balance is unmapped.
SHEET_READS = ("101", "102", "109", "113", "114", "121", "124", "125", "127", "128", "4", "131",
               "141", "142", "151", "152", "153", "154", "161", "201", "211", "212", "221", "222",
               "231", "235", "301", "311", "321", "322", "331", "332", "5")

# The year's flows: credits less debits of an income account, debits less credits of an expense.
SURPLUS: tuple[tuple[int, str, Figure], ...] = (
    (1, "一、经营收入", _credit("501")),
    (2, "加：投资收益", _credit("511")),
    (5, "减：经营支出", _debit("521")),
    (6, "管理费用", _debit("522")),
    (10, "二、经营收益", _lines(1, 2, minus=(5, 6))),
    (11, "加：其他收入", _credit("502")),
    (12, "减：其他支出", _debit("529")),
    (15, "三、本年盈余", _lines(10, 11, minus=(12,))),
    (16, "四、本年盈余", _lines(15)),
)
DISTRIBUTION: tuple[tuple[int, str], ...] = (
    (17, "加：年初未分配盈余"), (18, "其他转入"), (21, "五、可分配盈余"), (22, "减：提取盈余公积"),
    (23, "盈余返还"), (24, "剩余盈余分配"), (28, "六、年末未分配盈余"))
# The income and expense accounts the surplus reads: another one's flows would be missing.
# Where the distribution's lines come from (17: the balance sheet's 未分配盈余 at the start).
DISTRIBUTION_READS = {17: ("331", "332", "5"), 18: ("332",), 22: ("322",), 23: ("221",),
                      24: ("222",)}
SURPLUS_READS = ("501", "502", "511", "521", "522", "529")


def forms(accounts: Iterable[Mapping[str, Any]],
          members: tuple[Mapping[str, int], Mapping[str, int]] | None = None) -> dict[str, Any]:
    """Both forms from a trial balance of the year to date: accounts with ``account``,
    ``side``, ``opening_fen`` and ``closing_fen`` (on the account's side) and the year's
    ``debit_fen`` and ``credit_fen``; ``members``: each member's 成员往来 balance (debit less
    credit) at the year's start and at its end."""
    rows = list(accounts)
    opening = {a["account"]: _debit_side(a, "opening_fen") for a in rows}
    closing = {a["account"]: _debit_side(a, "closing_fen") for a in rows}
    if members is not None:
        for balances, each in zip((opening, closing), members, strict=True):
            balances[f"{MEMBERS}/debit"] = sum(v for v in each.values() if v > 0)
            balances[f"{MEMBERS}/credit"] = -sum(v for v in each.values() if v < 0)
    flows = {a["account"]: a["debit_fen"] - a["credit_fen"] for a in rows}
    sheet_open, sheet_close = _fill(BALANCE_SHEET, opening), _fill(BALANCE_SHEET, closing)
    surplus = _fill(SURPLUS, flows)
    credited = {code: sum(a["credit_fen"] for a in rows if a["account"].startswith(code))
                for code in ("332", "322", "221", "222")}
    surplus[17] = sheet_open[UNDISTRIBUTED]
    surplus[18] = credited["332"]
    surplus[21] = surplus[16] + surplus[17] + surplus[18]
    surplus[22], surplus[23], surplus[24] = credited["322"], credited["221"], credited["222"]
    surplus[28] = surplus[21] - surplus[22] - surplus[23] - surplus[24]
    names = dict(DISTRIBUTION) | {n: name for n, name, _ in SURPLUS}
    reads = {n: figure.codes for n, _, figure in SURPLUS} | DISTRIBUTION_READS
    unmapped = sorted(a["account"] for a in rows if _unread(a))
    return {
        "balance_sheet": [{"line": n, "item": name, "accounts": list(figure.codes),
                           "opening_fen": sheet_open[n], "closing_fen": sheet_close[n]}
                          for n, name, figure in BALANCE_SHEET],
        "surplus": [{"line": n, "item": names[n], "accounts": list(reads.get(n, ())),
                     "amount_fen": surplus[n]} for n in sorted(surplus)],
        "balanced": all(sheet[ASSETS_TOTAL] == sheet[CLAIMS_TOTAL]
                        for sheet in (sheet_open, sheet_close)),
        "unmapped": unmapped}


def _unread(account: Mapping[str, Any]) -> bool:
    """An account with a balance no sheet line reads, or income or expense the surplus misses."""
    code, moved = account["account"], account["debit_fen"] or account["credit_fen"]
    held = account["opening_fen"] or account["closing_fen"]
    if held and not code.startswith(SHEET_READS):
        return True
    return bool(moved) and code.startswith("5") and not code.startswith(SURPLUS_READS)


def _fill(lines: tuple[tuple[int, str, Figure], ...], balances: Balances) -> dict[int, int]:
    done: dict[int, int] = {}
    for number, _, figure in lines:
        done[number] = figure(balances, done)
    return done


def _debit_side(account: Mapping[str, Any], key: str) -> int:
    value: int = account[key]
    return value if account["side"] == "debit" else -value
