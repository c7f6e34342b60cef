"""The year-end distribution of a unit's surplus to its members (农民专业合作社法, 2017, art. 44).

Distributable surplus is the year's surplus after making up losses and setting aside the
reserve. At least 60 % of it is returned to members in proportion to their transactions with
the co-op (patronage refund, 按交易量返还); the rest by their capital, their quantified share of
the reserve and of subsidies. A plan is drafted, approved by the members' meeting, then paid
or converted into capital (股金); a plan returning less than 60 % by transactions is refused.

Rounding, so no fen is left unallocated: the patronage pool is the share of the distributable
surplus rounded *up* to the fen (never below the share asked), the rest is what is left; each
pool is dealt in proportion by the largest-remainder method — every member gets the whole fen
of their exact share, and the fen left over go one each to the largest fractions (ties: the
lower member id first). Each member's remaining share is then told apart by what it was dealt
by — capital, reserve share, subsidy (``by_capital_fen``, ``by_reserve_fen``,
``by_subsidy_fen``) — dealt the same way within the member's own remaining share, so the three
add up to it to the fen (ties: capital, then reserve, then subsidy).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, IdempotencyConflict, Invalid, NotFound
from domain.topics import stable_topics
from domain.values import id_for

MIN_PATRONAGE = Decimal("0.6")
WEIGHTS = ("capital_fen", "reserve_share_fen", "subsidy_fen")
BY = {"capital_fen": "by_capital_fen", "reserve_share_fen": "by_reserve_fen",
      "subsidy_fen": "by_subsidy_fen"}  # a line's part of the rest dealt by each weight
SETTLEMENTS = ("paid", "converted")


def distributable_fen(*, surplus_fen: int, losses_fen: int, reserve_fen: int) -> int:
    """The year's surplus after making up losses and setting aside the reserve."""
    for name, value in (("surplus_fen", surplus_fen), ("losses_fen", losses_fen),
                        ("reserve_fen", reserve_fen)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Invalid(f"{name} must be a whole, non-negative number of fen", field=name)
    left = surplus_fen - losses_fen - reserve_fen
    if left < 0:
        raise Invalid("losses and the reserve take more than the year's surplus",
                      field="reserve_fen")
    return left


def deal(pool_fen: int, weights: dict[str, int]) -> dict[str, int]:
    """``pool_fen`` in proportion to ``weights`` by the largest-remainder method: the parts
    add up to the pool exactly."""
    total = sum(weights.values())
    if pool_fen == 0:
        return dict.fromkeys(weights, 0)
    if total <= 0:
        raise Invalid("nothing to share by: every weight is zero", field="members")
    exact = {m: Fraction(pool_fen * w, total) for m, w in weights.items()}
    parts = {m: int(share) for m, share in exact.items()}  # floor: shares are non-negative
    left = pool_fen - sum(parts.values())
    for m in sorted(exact, key=lambda m: (-(exact[m] - parts[m]), m))[:left]:
        parts[m] += 1
    return parts


def plan_lines(*, distributable: int, patronage_share: Decimal,
               members: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """Each member's patronage refund and remaining share; refused below 60 % by transactions."""
    if not MIN_PATRONAGE <= patronage_share <= 1:
        raise Invalid("at least 60 % of the distributable surplus is returned by transactions "
                      "(patronage_share 0.6 to 1)", field="patronage_share")
    if not members:
        raise Invalid("a plan needs its members", field="members")
    for member, figures in members.items():
        for name in ("trade_fen", *WEIGHTS):
            value = figures.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise Invalid(f"{name} of {member} must be a whole, non-negative number of fen",
                              field=f"members.{member}.{name}")
    pool = int((distributable * patronage_share).to_integral_value(rounding=ROUND_CEILING))
    patronage = deal(pool, {m: f.get("trade_fen", 0) for m, f in members.items()})
    rest = deal(distributable - pool,
                {m: sum(f.get(w, 0) for w in WEIGHTS) for m, f in members.items()})
    return [{"member_id": m, "trade_fen": members[m].get("trade_fen", 0),
             **{w: members[m].get(w, 0) for w in WEIGHTS},
             "patronage_fen": patronage[m], "remainder_fen": rest[m],
             **split(rest[m], members[m]), "total_fen": patronage[m] + rest[m]}
            for m in sorted(members)]


def split(remainder_fen: int, figures: dict[str, int]) -> dict[str, int]:
    """A member's remaining share told apart by capital, reserve share and subsidy, in
    proportion to their own figures: the parts add up to it to the fen."""
    parts = deal(remainder_fen, {w: figures.get(w, 0) for w in WEIGHTS})
    return {BY[w]: parts[w] for w in WEIGHTS}


def same_plan(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> bool:
    """Whether ``new`` lines say what ``old`` ones said (a plan drafted before its lines were
    told apart by capital and reserve says less)."""
    return len(old) == len(new) and all(
        {k: n.get(k) for k in o} == o for o, n in zip(old, new, strict=True))


@stable_topics("DistributionPlan")
class DistributionPlan(Aggregate):
    """A unit's distribution plan of one year: drafted (again, while not approved), approved by
    the members' meeting, then settled — paid out or converted into capital."""

    @event("Drafted")
    def __init__(self, unit_id: str, year: int, surplus_fen: int, losses_fen: int,
                 reserve_fen: int, distributable_fen: int, patronage_share: Decimal,
                 lines: list[dict[str, Any]]) -> None:
        self.unit_id, self.year = unit_id, year
        self.figures = {"surplus_fen": surplus_fen, "losses_fen": losses_fen,
                        "reserve_fen": reserve_fen, "distributable_fen": distributable_fen,
                        "patronage_share": patronage_share}
        self.lines = lines
        self.approved_at: datetime | None = None
        self.settled: str | None = None

    @staticmethod
    def create_id(unit_id: str, year: int) -> UUID:
        return id_for("distribution_plan", f"{unit_id}/{year}")

    @classmethod
    def draft(cls, *, unit_id: str, year: int, surplus_fen: int, losses_fen: int,
              reserve_fen: int, patronage_share: Decimal,
              members: dict[str, dict[str, int]]) -> DistributionPlan:
        left = distributable_fen(surplus_fen=surplus_fen, losses_fen=losses_fen,
                                 reserve_fen=reserve_fen)
        return cls(unit_id=unit_id, year=year, surplus_fen=surplus_fen, losses_fen=losses_fen,
                   reserve_fen=reserve_fen, distributable_fen=left,
                   patronage_share=patronage_share,
                   lines=plan_lines(distributable=left, patronage_share=patronage_share,
                                    members=members))

    def redraft(self, new: DistributionPlan) -> None:
        """A new draft replaces this one until the meeting approved it; the same draft again
        changes nothing."""
        if (new.figures, new.lines) == (self.figures, self.lines):
            return
        if self.approved_at is not None and new.figures == self.figures and same_plan(
                self.lines, new.lines):
            return  # approved before its lines were told apart: it stays as approved
        if self.approved_at is not None:
            raise PlanApproved(f"the {self.year} plan of {self.unit_id} is approved; it is no "
                               "longer redrafted")
        self._redrafted(figures=new.figures, lines=new.lines)

    @event("Redrafted")
    def _redrafted(self, figures: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self.figures, self.lines = figures, lines

    def approve(self, *, approved_at: datetime, meeting: str) -> None:
        if self.approved_at is not None:
            return
        self._approved(approved_at=approved_at, meeting=meeting, lines=self.lines)

    @event("Approved")
    def _approved(self, approved_at: datetime, meeting: str, lines: list[dict[str, Any]]) -> None:
        self.approved_at = approved_at

    def settle(self, *, how: str, settled_at: datetime) -> None:
        """Pay the approved refunds out, or convert them into the members' capital."""
        if how not in SETTLEMENTS:
            raise Invalid("how must be paid or converted", field="how")
        if self.approved_at is None:
            raise PlanNotApproved(f"the {self.year} plan of {self.unit_id} is not approved yet")
        if self.settled is not None:
            if self.settled != how:
                raise IdempotencyConflict(f"the {self.year} plan was already {self.settled}")
            return
        self._settled(how=how, settled_at=settled_at, lines=self.lines)

    @event("Settled")
    def _settled(self, how: str, settled_at: datetime, lines: list[dict[str, Any]]) -> None:
        self.settled = how


class PlanApproved(Conflict):
    pass


class PlanNotApproved(Conflict):
    pass


class UnknownPlan(NotFound):
    def __init__(self, unit_id: str, year: int) -> None:
        super().__init__(f"no {year} distribution plan of {unit_id}", unit_id=unit_id, year=year)
