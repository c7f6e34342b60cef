"""Answers of the books view: a unit's vouchers, an account's ledger and the trial balance
(科目余额表), per unit or for the whole district; every figure leads to its vouchers and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.books import CAPITAL, RECEIVABLE, balance_fen
from projections.books.projection import day_of
from projections.port import ViewDatabase
from projections.tables import kg, moment, us

FAR = 2**62
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _member(farmer_id: str) -> dict[str, Any]:
    return {"farmer_id": farmer_id, "capital_fen": 0, "reserve_share_fen": 0, "trade_fen": 0,
            "transactions": []}


class BooksQueries:
    def __init__(self, db: ViewDatabase) -> None:
        self.db = db

    def units(self) -> list[dict[str, Any]]:
        return [{"unit_id": r["unit_id"], "name": r["name"], "kind": r["kind"]}
                for r in self.db.fetch("SELECT * FROM books_units ORDER BY unit_id")]

    def site_units(self) -> dict[str, str]:
        """Each site that belongs to a unit now, with that unit."""
        return {r["site_id"]: r["unit_id"] for r in self.db.fetch("SELECT * FROM books_site_units")}

    def vouchers(self, unit_id: str, month: str | None = None) -> list[dict[str, Any]]:
        """A unit's vouchers (of one month ``YYYY-MM``, or all) in number order, with lines."""
        where, params = "unit_id = ?", [unit_id]
        if month is not None:
            where, params = where + " AND month = ?", [*params, month]
        vouchers = self.db.fetch(f"SELECT * FROM books_vouchers WHERE {where} "
                                 "ORDER BY month, number", params)
        lines: dict[str, list[dict[str, Any]]] = {}
        for r in self.db.fetch(f"SELECT * FROM books_lines WHERE voucher_id IN (SELECT voucher_id "
                               f"FROM books_vouchers WHERE {where}) ORDER BY voucher_id, line_no",
                               params):
            lines.setdefault(r["voucher_id"], []).append(
                {"account": r["account"], "sub": r["sub"], "debit_fen": r["debit_fen"],
                 "credit_fen": r["credit_fen"]})
        return [{"number": v["number"], "unit_id": v["unit_id"], "at": moment(v["at_us"]),
                 "kind": v["kind"], "ref": v["voucher_id"], "event_id": v["event_id"],
                 "lines": lines.get(v["voucher_id"], [])} for v in vouchers]

    def trial_balance(self, chart: list[dict[str, Any]], unit_id: str | None,
                      from_: datetime | None = None, to: datetime | None = None) -> dict[str, Any]:
        """Per account of the chart with any posting: the opening balance, the period's debits
        and credits and the closing balance on the account's side; the totals, whose debits and
        credits are equal when the books balance. ``unit_id`` None is the whole district.

        Whole days are summed from the daily balances the view keeps; only the lines of a day a
        bound falls inside are read (none when the bounds are the starts of days)."""
        before_from = self._sums_before(unit_id, us(from_)) if from_ else {}
        before_to = self._sums_before(unit_id, us(to) if to else None)
        sides = {a["code"]: a for a in chart}
        accounts = []
        for code in sorted(set(before_from) | set(before_to)):
            account = sides.get(code, {"name": None, "side": "debit"})
            d0, c0 = before_from.get(code, (0, 0))
            d1, c1 = before_to.get(code, (0, 0))
            d, c = d1 - d0, c1 - c0
            accounts.append({"account": code, "name": account["name"],
                             "side": account["side"],
                             "opening_fen": balance_fen(account["side"], d0, c0),
                             "debit_fen": d, "credit_fen": c,
                             "closing_fen": balance_fen(account["side"], d1, c1)})
        debit = sum(a["debit_fen"] for a in accounts)
        credit = sum(a["credit_fen"] for a in accounts)
        return {"unit_id": unit_id, "from": from_, "to": to, "accounts": accounts,
                "debit_fen": debit, "credit_fen": credit, "balanced": debit == credit}

    def _sums_before(self, unit_id: str | None, bound: int | None) -> dict[str, tuple[int, int]]:
        """Each account's debits and credits posted before ``bound`` (all when None): the
        daily balances of the days before the bound's day, and that day's lines before it."""
        unit_filter, params = ("unit_id = ? AND ", [unit_id]) if unit_id is not None else ("", [])
        day = day_of(bound) if bound is not None else FAR
        sums: dict[str, tuple[int, int]] = {}
        for r in self.db.fetch("SELECT account, SUM(debit_fen) AS d, SUM(credit_fen) AS c "
                               f"FROM books_balances WHERE {unit_filter}day_us < ? "
                               "GROUP BY account", [*params, day]):
            sums[r["account"]] = (int(r["d"] or 0), int(r["c"] or 0))
        if bound is None or bound == day:
            return sums
        # the lines of the bound's own day: through the (unit, account, time) index
        keys = self.db.fetch(f"SELECT DISTINCT unit_id, account FROM books_balances "
                             f"WHERE {unit_filter}day_us = ?", [*params, day])
        units = sorted({k["unit_id"] for k in keys})
        codes = sorted({k["account"] for k in keys})
        if not keys:
            return sums
        marks = ", ".join("?" for _ in units), ", ".join("?" for _ in codes)
        for r in self.db.fetch("SELECT account, SUM(debit_fen) AS d, SUM(credit_fen) AS c "
                               f"FROM books_lines WHERE unit_id IN ({marks[0]}) "
                               f"AND account IN ({marks[1]}) AND at_us >= ? AND at_us < ? "
                               "GROUP BY account", [*units, *codes, day, bound]):
            d, c = sums.get(r["account"], (0, 0))
            sums[r["account"]] = (d + int(r["d"] or 0), c + int(r["c"] or 0))
        return sums

    def member_accounts(self, unit_id: str, year: int) -> list[dict[str, Any]]:
        """Each member's account with a unit (art. 43): capital contributed (股金, its balance at
        the year's end), the year's quantified reserve share (公积金量化份额) and the year's
        transactions with the unit per product — inputs bought and produce sold to it, quantity
        and amount — with their total, the patronage base."""
        end = us(datetime(year + 1, 1, 1, tzinfo=SHANGHAI))
        members: dict[str, dict[str, Any]] = {}
        for r in self.db.fetch("SELECT * FROM books_trade WHERE unit_id = ? AND year = ? "
                               "ORDER BY farmer_id, direction, sku", [unit_id, year]):
            account = members.setdefault(r["farmer_id"], _member(r["farmer_id"]))
            account["transactions"].append({"direction": r["direction"], "sku": r["sku"],
                                            "quantity": kg(r["g"]), "amount_fen": r["amount_fen"]})
            account["trade_fen"] += r["amount_fen"]
        for r in self.db.fetch("SELECT sub, SUM(credit_fen) - SUM(debit_fen) AS fen FROM books_lines "
                               "WHERE unit_id = ? AND account = ? AND at_us < ? GROUP BY sub",
                               [unit_id, CAPITAL, end]):
            farmer_id = str(r["sub"]).removeprefix("member:")
            members.setdefault(farmer_id, _member(farmer_id))["capital_fen"] = int(r["fen"] or 0)
        for r in self.db.fetch("SELECT farmer_id, amount_fen FROM books_reserve_shares "
                               "WHERE unit_id = ? AND year = ?", [unit_id, year]):
            members.setdefault(r["farmer_id"], _member(r["farmer_id"]))["reserve_share_fen"] = \
                int(r["amount_fen"])
        return [members[m] for m in sorted(members)]

    def leases(self) -> list[dict[str, Any]]:
        """Every lease the books know, by id: what the monthly rent job charges."""
        return [{"lease_id": r["lease_id"], "unit_id": r["unit_id"], "tenant": r["tenant"]}
                for r in self.db.fetch("SELECT * FROM books_leases ORDER BY lease_id")]

    def assets(self, unit_id: str) -> list[dict[str, Any]]:
        """A unit's asset cards (社有资产), each with the leases that name it by its id."""
        leases: dict[str, list[dict[str, Any]]] = {}
        for r in self.db.fetch("SELECT * FROM books_leases WHERE unit_id = ? ORDER BY lease_id",
                               [unit_id]):
            leases.setdefault(r["asset"], []).append(
                {"lease_id": r["lease_id"], "tenant": r["tenant"],
                 "monthly_rent_fen": r["monthly_rent_fen"], "starts": r["starts"],
                 "ends": r["ends"]})
        return [{"asset_id": r["asset_id"], "unit_id": r["unit_id"], "name": r["name"],
                 "kind": r["kind"], "location": r["location"], "area_m2": r["area_m2"],
                 "value_fen": r["value_fen"], "acquired": r["acquired"],
                 "leases": leases.get(r["asset_id"], [])}
                for r in self.db.fetch("SELECT * FROM books_assets WHERE unit_id = ? "
                                       "ORDER BY asset_id", [unit_id])]

    def arrears(self, unit_id: str) -> list[dict[str, Any]]:
        """Rent due and not received, per tenant of the unit (their 应收款 sub-account)."""
        rows = self.db.fetch("SELECT sub, SUM(debit_fen) - SUM(credit_fen) AS fen FROM books_lines "
                             "WHERE unit_id = ? AND account = ? AND sub LIKE ? GROUP BY sub "
                             "ORDER BY sub", [unit_id, RECEIVABLE, "tenant:%"])
        return [{"tenant": str(r["sub"]).removeprefix("tenant:"), "arrears_fen": int(r["fen"])}
                for r in rows if r["fen"]]

    def sub_balances(self, unit_id: str | None, account: str,
                     *bounds: datetime | None) -> list[dict[str, int]]:
        """Each sub-account's debit-minus-credit balance of ``account`` before each bound
        (None: everything), one map per bound, sub-accounts whose balance is 0 left out."""
        unit_filter, params = ("unit_id = ? AND ", [unit_id]) if unit_id is not None else ("", [])
        answers = []
        for bound in bounds:
            rows = self.db.fetch(
                "SELECT sub, SUM(debit_fen) - SUM(credit_fen) AS fen FROM books_lines "
                f"WHERE {unit_filter}account = ? AND at_us < ? GROUP BY sub",
                [*params, account, us(bound) if bound else FAR])
            answers.append({r["sub"] or "": int(r["fen"]) for r in rows if r["fen"]})
        return answers

    def ledger(self, unit_id: str, account: str, from_: datetime | None = None,
               to: datetime | None = None, sub: str | None = None) -> dict[str, Any]:
        """An account's lines in a unit (of one sub-account if ``sub``), each with its voucher
        number and event, and the running debit-minus-credit balance."""
        begin, end = us(from_) if from_ else -FAR, us(to) if to else FAR
        extra, params = (" AND l.sub = ?", [sub]) if sub is not None else ("", [])
        rows = self.db.fetch(
            "SELECT l.*, v.number, v.kind, v.event_id FROM books_lines l JOIN books_vouchers v "
            "ON v.voucher_id = l.voucher_id WHERE l.unit_id = ? AND l.account = ? "
            f"AND l.at_us < ?{extra} ORDER BY l.at_us, v.number, l.line_no",
            [unit_id, account, end, *params])
        opening = sum(r["debit_fen"] - r["credit_fen"] for r in rows if r["at_us"] < begin)
        running, lines = opening, []
        for r in rows:
            if r["at_us"] < begin:
                continue
            running += r["debit_fen"] - r["credit_fen"]
            lines.append({"at": moment(r["at_us"]), "number": r["number"], "kind": r["kind"],
                          "sub": r["sub"], "debit_fen": r["debit_fen"],
                          "credit_fen": r["credit_fen"], "balance_fen": running,
                          "ref": r["voucher_id"], "event_id": r["event_id"]})
        return {"unit_id": unit_id, "account": account, "sub": sub,
                "opening_fen": opening, "lines": lines, "closing_fen": running}
