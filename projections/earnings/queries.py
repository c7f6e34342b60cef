"""Answers of the earnings view: GET /v1/farmers/{id}/earnings, and who had a statement period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.farmer import balance_fen
from projections.port import ViewDatabase
from projections.tables import kg, moment, us

SHANGHAI = ZoneInfo("Asia/Shanghai")


class EarningsQueries:
    def __init__(self, db: ViewDatabase) -> None:
        self.db = db

    def statement(self, farmer_id: str, from_: date | datetime | None = None,
                  to: date | datetime | None = None) -> dict[str, Any]:
        """A farmer's statement for ``[from_, to)``; a date is a whole day in Asia/Shanghai
        (``to`` included). ``balance_fen`` is the balance at the end of the period: the
        opening balance plus earnings, less input credit and payments."""
        start, end = _start(from_), _end(to)
        rows = self.db.fetch("SELECT * FROM earn_lines WHERE farmer_id = ? AND at_us < ? "
                             "ORDER BY at_us, event_id, part",
                             [farmer_id, us(end) if end else 2**62])
        begin = us(start) if start else -(2**62)
        before = [r for r in rows if r["at_us"] < begin]
        period = [r for r in rows if r["at_us"] >= begin]
        by_grade: dict[str, int] = {}
        for r in period:
            if r["kind"] == "grading":
                by_grade[r["grade"]] = by_grade.get(r["grade"], 0) + r["g"]

        opening = balance_fen(earned_fen=_total(before, "grading"),
                              input_credit_fen=_total(before, "input_credit"),
                              paid_fen=_total(before, "payment"))
        # A grading line's ref is its batch's id: the farmer knows the batch by its code.
        codes = {b["batch_id"]: b["batch_code"] for b in self.db.fetch(
            "SELECT batch_id, batch_code FROM earn_batches WHERE farmer_id = ?", [farmer_id])}
        earned = _total(period, "grading")
        credit, paid = _total(period, "input_credit"), _total(period, "payment")
        return {"farmer_id": farmer_id, "from": start, "to": end,
                "delivered_kg": kg(_total(period, "delivery", "g")), "graded_kg": kg(sum(by_grade.values())),
                "graded_kg_by_grade": {g: kg(v) for g, v in sorted(by_grade.items())},
                "earned_fen": earned, "input_credit_fen": credit, "paid_fen": paid,
                "opening_balance_fen": opening,
                "balance_fen": balance_fen(opening_fen=opening, earned_fen=earned,
                                           input_credit_fen=credit, paid_fen=paid),
                "lines": [_line(r, codes) for r in period if r["kind"] != "delivery"]}

    def farmers_with_lines(self, from_: datetime, to: datetime) -> list[str]:
        """Farmers with anything on their statement in ``[from_, to)``."""
        return [r["farmer_id"] for r in self.db.fetch(
            "SELECT DISTINCT farmer_id FROM earn_lines WHERE at_us >= ? AND at_us < ? "
            "ORDER BY farmer_id", [us(from_), us(to)])]


def _total(lines: list[dict[str, Any]], kind: str, column: str = "amount_fen") -> int:
    return sum(r[column] for r in lines if r["kind"] == kind)


def _line(r: dict[str, Any], codes: dict[str, str]) -> dict[str, Any]:
    line: dict[str, Any] = {"at": moment(r["at_us"]), "kind": r["kind"], "ref": r["ref"],
                            "event_id": r["event_id"], "amount_fen": r["amount_fen"]}
    if r["kind"] == "grading":
        line.update(sku=r["sku"], grade=r["grade"], kg=kg(r["g"]),
                    batch_code=codes.get(r["ref"].split("/")[0]))
    return line


def _start(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0), SHANGHAI)


def _end(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value + timedelta(days=1), time(0), SHANGHAI)
