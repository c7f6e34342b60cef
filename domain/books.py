"""The co-op's books: accounting units (核算单位), the chart of accounts as data, and the posting
rules that turn business events into vouchers (记账凭证) — one rule per event type, the same in
every unit, so the same business gives the same voucher everywhere.

A voucher line is ``{"account", "sub", "debit_fen", "credit_fen"}``; ``sub`` names the
sub-account (``member:f-zhang``, ``supplier:…``) or is None. Every voucher balances to the fen
(``check_balanced``); a correction never edits one: it posts its reversal (红字, the same lines
with the amounts negated, ``reverse``) and a new voucher.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.corrections import money_corrected, money_correction
from domain.errors import IdempotencyConflict, Invalid, NotFound
from domain.topics import stable_topics
from domain.values import id_for

UNIT_KINDS = ("union", "company", "grassroots", "village")
DISTRICT_UNIT = "district"  # the district union's books: events of no site, sites of no unit
SIDES = ("debit", "credit")
SUB_KINDS = ("member", "supplier", "tenant", "unit", "customer")

# China's cooperative accounting chart (农民专业合作社会计制度): code, name, normal balance side,
# the kind of sub-account it keeps (or None).
DEFAULT_CHART: tuple[dict[str, Any], ...] = tuple(
    {"code": code, "name": name, "side": side, "sub": sub} for code, name, side, sub in (
        ("101", "库存现金", "debit", None), ("102", "银行存款", "debit", None),
        ("113", "应收款", "debit", "tenant"), ("114", "成员往来", "debit", "member"),
        ("121", "产品物资", "debit", None), ("151", "固定资产", "debit", None),
        ("152", "累计折旧", "credit", None), ("211", "应付款", "credit", "supplier"),
        ("221", "应付盈余返还", "credit", "member"), ("222", "应付剩余盈余", "credit", "member"),
        ("301", "股金", "credit", "member"), ("322", "盈余公积", "credit", None),
        ("331", "本年盈余", "credit", None), ("332", "盈余分配", "debit", None),
        ("501", "经营收入", "credit", None), ("502", "其他收入", "credit", None),
        ("521", "经营支出", "debit", None), ("522", "管理费用", "debit", None)))

CASH, BANK, RECEIVABLE, MEMBERS, GOODS = "101", "102", "113", "114", "121"
FIXED_ASSETS, DEPRECIATION = "151", "152"
PAYABLE, REFUNDS_DUE, REST_DUE, CAPITAL, DISTRIBUTION = "211", "221", "222", "301", "332"
REVENUE, OTHER_INCOME, COST, ADMIN_EXPENSE = "501", "502", "521", "522"
# Every account a posting rule uses: a chart a district loads must have each of them.
POSTED = (CASH, BANK, RECEIVABLE, MEMBERS, GOODS, FIXED_ASSETS, PAYABLE, REFUNDS_DUE, REST_DUE, CAPITAL,
          DISTRIBUTION, REVENUE, OTHER_INCOME, COST)


def line(account: str, *, debit: int = 0, credit: int = 0, sub: str | None = None) -> dict[str, Any]:
    return {"account": account, "sub": sub, "debit_fen": debit, "credit_fen": credit}


def member(farmer_id: str) -> str:
    return f"member:{farmer_id}"


def customer(farmer_id: str) -> str:
    """A non-member buying from the unit: their 应收款 sub-account."""
    return f"customer:{farmer_id}"


def supplier(farmer_id: str) -> str:
    """A non-member selling produce to the unit: their 应付款 sub-account."""
    return f"supplier:{farmer_id}"


# The posting rules, one per event type; an amount of 0 posts no voucher (an empty list).

def input_purchased(*, payment: str, total_fen: int, supplier: str) -> list[dict[str, Any]]:
    """进货: 借 产品物资 / 贷 库存现金 (cash) or 应付款—supplier (payable)."""
    paid = line(CASH, credit=total_fen) if payment == "cash" else line(
        PAYABLE, credit=total_fen, sub=f"supplier:{supplier}")
    return _voucher(total_fen, line(GOODS, debit=total_fen), paid)


def inputs_sent(*, cost_fen: int, to_unit: str) -> list[dict[str, Any]]:
    """Inputs sent to a site of another unit, at cost: 借 应收款—that unit / 贷 产品物资
    (within one unit a transfer posts nothing: the goods stay in its books)."""
    return _voucher(cost_fen, line(RECEIVABLE, debit=cost_fen, sub=f"unit:{to_unit}"),
                    line(GOODS, credit=cost_fen))


def inputs_received(*, cost_fen: int, from_unit: str) -> list[dict[str, Any]]:
    """Inputs received from a site of another unit, at cost: 借 产品物资 / 贷 应付款—that unit."""
    return _voucher(cost_fen, line(GOODS, debit=cost_fen),
                    line(PAYABLE, credit=cost_fen, sub=f"unit:{from_unit}"))


def input_sold(*, payment: str, total_fen: int, farmer_id: str,
               is_member: bool = True) -> list[dict[str, Any]]:
    """An input sale: on credit 借 成员往来—member (a non-member: 应收款—customer, kept apart
    from the members' accounts), in cash 借 库存现金; 贷 经营收入."""
    owed = line(CASH, debit=total_fen) if payment != "credit" else (
        line(MEMBERS, debit=total_fen, sub=member(farmer_id)) if is_member else
        line(RECEIVABLE, debit=total_fen, sub=customer(farmer_id)))
    return _voucher(total_fen, owed, line(REVENUE, credit=total_fen))


def input_cost(*, cost_fen: int) -> list[dict[str, Any]]:
    """The cost of inputs sold, at their lots' cost: 借 经营支出 / 贷 产品物资."""
    return _voucher(cost_fen, line(COST, debit=cost_fen), line(GOODS, credit=cost_fen))


def produce_bought(*, earned_fen: int, farmer_id: str,
                   is_member: bool = True) -> list[dict[str, Any]]:
    """A member's graded produce bought: 借 产品物资 / 贷 成员往来—member; a non-member's:
    贷 应付款—supplier (kept apart from the members' accounts)."""
    owed = line(MEMBERS, credit=earned_fen, sub=member(farmer_id)) if is_member else line(
        PAYABLE, credit=earned_fen, sub=supplier(farmer_id))
    return _voucher(earned_fen, line(GOODS, debit=earned_fen), owed)


def produce_sold(*, price_fen: int, cost_fen: int = 0) -> list[dict[str, Any]]:
    """A pack sold at an outlet's till: 借 库存现金 / 贷 经营收入, and its cost (what the co-op
    paid its farmers for the pack's produce): 借 经营支出 / 贷 产品物资."""
    return [*_voucher(price_fen, line(CASH, debit=price_fen), line(REVENUE, credit=price_fen)),
            *_voucher(cost_fen, line(COST, debit=cost_fen), line(GOODS, credit=cost_fen))]


def draw_cost_fen(*, kg_g: int, graded_g: int, earned_fen: int) -> int:
    """The cost of ``kg_g`` grams drawn from a batch's grade that earned its farmer
    ``earned_fen`` for ``graded_g`` grams: pro rata, half up to the fen."""
    if graded_g <= 0:
        return 0
    return (2 * earned_fen * kg_g + graded_g) // (2 * graded_g)


def pack_cost_fen(*, run_cost_fen: int, packs: int, number: int) -> int:
    """Pack ``number`` (1..packs) of a run whose produce cost ``run_cost_fen``: the run's cost
    spread over its packs so that every pack's share is fixed by its number and all of them add
    up to the run's cost to the fen, whichever are sold first."""
    if not 1 <= number <= packs:
        return 0
    return run_cost_fen * number // packs - run_cost_fen * (number - 1) // packs


def farmer_paid(*, amount_fen: int, farmer_id: str, method: str,
                is_member: bool = True) -> list[dict[str, Any]]:
    """A payment to a member: 借 成员往来—member (a non-member: 应付款—supplier) / 贷 库存现金
    (cash) or 银行存款."""
    owed = line(MEMBERS, debit=amount_fen, sub=member(farmer_id)) if is_member else line(
        PAYABLE, debit=amount_fen, sub=supplier(farmer_id))
    return _voucher(amount_fen, owed, line(CASH if method == "cash" else BANK, credit=amount_fen))


def distribution_approved(*, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The members' meeting approved the plan: 借 盈余分配 / 贷 应付盈余返还—member (patronage
    refund) and 应付剩余盈余—member (the rest)."""
    total = sum(m["total_fen"] for m in lines)
    return _voucher(total, line(DISTRIBUTION, debit=total), *_owed(lines, credit=True))


def distribution_settled(*, how: str, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The refunds paid from the bank (贷 银行存款) or converted into each member's capital
    (贷 股金—member): 借 应付盈余返还 and 应付剩余盈余—member."""
    total = sum(m["total_fen"] for m in lines)
    if how == "paid":
        to = [line(BANK, credit=total)]
    else:
        to = [line(CAPITAL, credit=m["total_fen"], sub=member(m["member_id"]))
              for m in lines if m["total_fen"]]
    return _voucher(total, *_owed(lines, credit=False), *to)


def _owed(lines: list[dict[str, Any]], *, credit: bool) -> list[dict[str, Any]]:
    owed = []
    for m in lines:
        for account, fen in ((REFUNDS_DUE, m["patronage_fen"]), (REST_DUE, m["remainder_fen"])):
            if fen:
                owed.append(line(account, sub=member(m["member_id"]),
                                 **({"credit": fen} if credit else {"debit": fen})))
    return owed


def capital_contributed(*, amount_fen: int, farmer_id: str, method: str) -> list[dict[str, Any]]:
    """A member pays in capital: 借 库存现金 (cash) or 银行存款 / 贷 股金—member."""
    return _voucher(amount_fen, line(CASH if method == "cash" else BANK, debit=amount_fen),
                    line(CAPITAL, credit=amount_fen, sub=member(farmer_id)))


def asset_acquired(*, value_fen: int) -> list[dict[str, Any]]:
    """A co-op asset's card registered at its original value (原值): 借 151 固定资产 / 贷 102
    银行存款 (the card says no other way it was paid; depreciation, 152 累计折旧, is not
    posted by any rule yet)."""
    return _voucher(value_fen, line(FIXED_ASSETS, debit=value_fen), line(BANK, credit=value_fen))


def rent_due(*, amount_fen: int, tenant: str) -> list[dict[str, Any]]:
    """A month's rent of a co-op asset falls due: 借 应收款—tenant / 贷 其他收入."""
    return _voucher(amount_fen, line(RECEIVABLE, debit=amount_fen, sub=f"tenant:{tenant}"),
                    line(OTHER_INCOME, credit=amount_fen))


def rent_received(*, amount_fen: int, tenant: str, method: str) -> list[dict[str, Any]]:
    """Rent received: 借 库存现金 (cash) or 银行存款 / 贷 应收款—tenant."""
    return _voucher(amount_fen, line(CASH if method == "cash" else BANK, debit=amount_fen),
                    line(RECEIVABLE, credit=amount_fen, sub=f"tenant:{tenant}"))


def reverse(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 红字 voucher of a posted one: the same accounts, every amount negated."""
    return [dict(entry, debit_fen=-entry["debit_fen"], credit_fen=-entry["credit_fen"])
            for entry in lines]


def check_balanced(lines: list[dict[str, Any]]) -> None:
    debit = sum(entry["debit_fen"] for entry in lines)
    credit = sum(entry["credit_fen"] for entry in lines)
    if debit != credit:
        raise Unbalanced(f"a voucher must balance: debits {debit} fen, credits {credit} fen")


def _voucher(amount: int, *lines: dict[str, Any]) -> list[dict[str, Any]]:
    if not amount:
        return []
    check_balanced(list(lines))
    return list(lines)


def balance_fen(side: str, debit_fen: int, credit_fen: int) -> int:
    """An account's balance on its normal side: debits less credits for a debit account."""
    return debit_fen - credit_fen if side == "debit" else credit_fen - debit_fen


def statements(accounts: list[dict[str, Any]]) -> dict[str, Any]:
    """The balance sheet and the 盈余表 from a trial balance's accounts (each with its code,
    ``debit_fen``, ``credit_fen`` of the period and ``closing_fen``), by the class the code's
    first digit names: 1 assets, 2 liabilities, 3 owners' equity, 4 costs (held like assets),
    5 income and expenses. The surplus not yet carried to 本年盈余 stands beside equity, so
    assets + costs = liabilities + equity + that surplus whenever the books balance."""
    def closing(cls: str) -> int:  # on the debit side
        return sum(_debit_side(a) for a in accounts if a["account"].startswith(cls))

    def period(*codes: str) -> int:  # credits less debits of the period
        return sum(a["credit_fen"] - a["debit_fen"] for a in accounts if a["account"] in codes)

    income = {code: period(code) for code in (REVENUE, OTHER_INCOME)}
    expenses = {code: -period(code) for code in (COST, ADMIN_EXPENSE)}
    assets, costs = closing("1"), closing("4")
    liabilities, equity, unclosed = -closing("2"), -closing("3"), -closing("5")
    return {"balance_sheet": {"assets_fen": assets, "costs_fen": costs,
                              "liabilities_fen": liabilities, "equity_fen": equity,
                              "surplus_not_carried_fen": unclosed,
                              "balanced": assets + costs == liabilities + equity + unclosed},
            "surplus": {"income_fen": income, "expenses_fen": expenses,
                        "surplus_fen": sum(income.values()) - sum(expenses.values()),
                        "distributed_fen": -period(DISTRIBUTION)}}


def _debit_side(account: dict[str, Any]) -> int:
    closing: int = account["closing_fen"]
    return closing if account["side"] == "debit" else -closing


def check_chart(accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A chart a district loads: unique numeric codes, a name, a normal side, and every
    account the posting rules use."""
    if not accounts:
        raise Invalid("a chart needs accounts", field="accounts")
    seen: set[str] = set()
    checked = []
    for index, account in enumerate(accounts):
        field = f"accounts[{index}]"
        code = str(account.get("code", ""))
        if not code.isdigit() or len(code) > 12:
            raise Invalid("an account code is 1-12 digits", field=f"{field}.code")
        if code in seen:
            raise Invalid(f"account {code} is listed twice", field=f"{field}.code")
        if not account.get("name"):
            raise Invalid("an account needs a name", field=f"{field}.name")
        if account.get("side") not in SIDES:
            raise Invalid("side must be debit or credit", field=f"{field}.side")
        if account.get("sub") not in (None, *SUB_KINDS):
            raise Invalid(f"sub must be one of {', '.join(SUB_KINDS)} or null", field=f"{field}.sub")
        seen.add(code)
        checked.append({"code": code, "name": account["name"], "side": account["side"],
                        "sub": account.get("sub")})
    missing = [code for code in POSTED if code not in seen]
    if missing:
        raise Invalid(f"the posting rules post to {', '.join(missing)}; the chart must have them",
                      field="accounts")
    return sorted(checked, key=lambda a: a["code"])


@stable_topics("Chart")
class Chart(Aggregate):
    """The chart of accounts a district loaded (the default until it loads one)."""

    @event("Loaded")
    def __init__(self, district: str, accounts: list[dict[str, Any]]) -> None:
        self.district, self.accounts = district, accounts

    @staticmethod
    def create_id(district: str) -> UUID:
        return id_for("chart", district)

    def reload(self, accounts: list[dict[str, Any]]) -> None:
        if accounts != self.accounts:
            self._reloaded(accounts=accounts)

    @event("Reloaded")
    def _reloaded(self, accounts: list[dict[str, Any]]) -> None:
        self.accounts = accounts


@stable_topics("AccountingUnit")
class AccountingUnit(Aggregate):
    """核算单位: the district union, a company, a grassroots or a village co-op; its books are
    kept apart from every other unit's."""

    @event("Registered")
    def __init__(self, unit_id: str, name: str, kind: str) -> None:
        self.unit_id, self.name, self.kind = unit_id, name, kind

    @staticmethod
    def create_id(unit_id: str) -> UUID:
        return id_for("accounting_unit", unit_id)

    @classmethod
    def register(cls, *, unit_id: str, name: str, kind: str) -> AccountingUnit:
        return cls(unit_id=unit_id, name=name, kind=check_unit_kind(kind))

    def correct_details(self, *, name: str, kind: str) -> None:
        if check_unit_kind(kind) != self.kind or name != self.name:
            self._details_corrected(name=name, kind=kind)

    @event("DetailsCorrected")
    def _details_corrected(self, name: str, kind: str) -> None:
        self.name, self.kind = name, kind


@stable_topics("SiteUnit")
class SiteUnit(Aggregate):
    """Which unit's books a site's business goes to: one unit at a time. A site moved to
    another unit posts there from the move on; what it posted before stays where it is."""

    @event("Assigned")
    def __init__(self, site_id: str, unit_id: str) -> None:
        self.site_id, self.unit_id = site_id, unit_id

    @staticmethod
    def create_id(site_id: str) -> UUID:
        return id_for("site_unit", site_id)

    def move_to(self, unit_id: str) -> None:
        if unit_id != self.unit_id:
            self._moved(unit_id=unit_id)

    @event("Moved")
    def _moved(self, unit_id: str) -> None:
        self.unit_id = unit_id


@stable_topics("Membership")
class Membership(Aggregate):
    """Whether a farmer is a member (成员) of a unit. A registered farmer is a member of every
    unit until a unit says otherwise; business with a non-member posts to 应收款 / 应付款 under
    their own sub-account, apart from the members' 成员往来, and is no patronage (art. 43–44).
    Business posts by the standing at the time it is posted; saying it again changes nothing."""

    @event("Declared")
    def __init__(self, unit_id: str, farmer_id: str, is_member: bool) -> None:
        self.unit_id, self.farmer_id, self.is_member = unit_id, farmer_id, is_member

    @staticmethod
    def create_id(unit_id: str, farmer_id: str) -> UUID:
        return id_for("membership", f"{unit_id}/{farmer_id}")

    def declare(self, is_member: bool) -> None:
        if is_member != self.is_member:
            self._changed(is_member=is_member)

    @event("Changed")
    def _changed(self, is_member: bool) -> None:
        self.is_member = is_member


@stable_topics("ReserveShares")
class ReserveShares(Aggregate):
    """A member's quantified share of a unit's reserve (公积金量化份额, art. 42), per year: kept
    on their member account and given to the year's distribution plan. Saying a year's share
    again replaces it; the same again records nothing. No voucher: the reserve stays in 322."""

    @event("Opened")
    def __init__(self, unit_id: str, farmer_id: str) -> None:
        self.unit_id, self.farmer_id = unit_id, farmer_id
        self.years: dict[int, int] = {}

    @staticmethod
    def create_id(unit_id: str, farmer_id: str) -> UUID:
        return id_for("reserve_shares", f"{unit_id}/{farmer_id}")

    def quantify(self, *, year: int, amount_fen: int) -> None:
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 0:
            raise Invalid("amount_fen must be a whole number of fen", field="amount_fen")
        if self.years.get(year) != amount_fen:
            self._quantified(year=year, amount_fen=amount_fen)

    @event("Quantified")
    def _quantified(self, year: int, amount_fen: int) -> None:
        self.years[year] = amount_fen


@stable_topics("MemberCapital")
class MemberCapital(Aggregate):
    """A member's capital (股金) paid into one unit; a contribution is known by its reference,
    so sending it twice records it once."""

    @event("Opened")
    def __init__(self, unit_id: str, farmer_id: str) -> None:
        self.unit_id, self.farmer_id = unit_id, farmer_id
        self.contributions: dict[str, dict[str, Any]] = {}

    @staticmethod
    def create_id(unit_id: str, farmer_id: str) -> UUID:
        return id_for("member_capital", f"{unit_id}/{farmer_id}")

    def contribute(self, *, amount_fen: int, paid_at: datetime, method: str,
                   reference: str) -> None:
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise Invalid("amount_fen must be a positive number of fen", field="amount_fen")
        earlier = self.contributions.get(reference)
        if earlier is not None:
            first = earlier.get("first", earlier)  # what it said before a correction
            if (first["amount_fen"], first["method"]) != (amount_fen, method):
                raise IdempotencyConflict(f"capital reference {reference} was already used for "
                                          f"{first['amount_fen']} fen by {first['method']}")
            return
        self._contributed(amount_fen=amount_fen, paid_at=paid_at, method=method,
                          reference=reference)

    @event("Contributed")
    def _contributed(self, amount_fen: int, paid_at: datetime, method: str,
                     reference: str) -> None:
        self.contributions[reference] = {"amount_fen": amount_fen, "paid_at": paid_at,
                                         "method": method}

    def correct(self, *, correction_id: str, reference: str, amount_fen: int, method: str,
                reason: str, corrected_at: datetime) -> bool:
        """A contribution recorded wrong (amount or method), as it should have been: the books
        post its reversal (红字) and the contribution anew. Answers whether one was recorded."""
        change = money_correction(
            self, self.contributions, correction_id=correction_id, reference=reference,
            amount_fen=amount_fen, method=method, reason=reason,
            unknown=NotFound(f"no capital contribution {reference} of {self.farmer_id} to "
                             f"{self.unit_id}", reference=reference))
        if change is None:
            return False
        self._corrected(corrected_at=corrected_at, **change)
        return True

    @event("Corrected")
    def _corrected(self, correction_id: str, said: dict[str, Any], reference: str, reason: str,
                   corrected_at: datetime, was: dict[str, Any], now: dict[str, Any]) -> None:
        money_corrected(self, self.contributions, correction_id=correction_id, said=said,
                        reference=reference, was=was, now=now)

    @property
    def capital_fen(self) -> int:
        return sum(c["amount_fen"] for c in self.contributions.values())


def check_unit_kind(kind: str) -> str:
    if kind not in UNIT_KINDS:
        raise Invalid(f"kind must be one of {', '.join(UNIT_KINDS)}", field="kind")
    return kind


class Unbalanced(Invalid):
    pass


class UnknownUnit(NotFound):
    def __init__(self, unit_id: str) -> None:
        super().__init__(f"no accounting unit {unit_id} is registered", unit_id=unit_id)
