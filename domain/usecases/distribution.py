"""The year-end distribution of a unit's surplus: draft the plan, the members' meeting approves
it, then it is paid out or converted into capital (``domain.distribution``).

Loads ``AccountingUnit`` and the members (``Farmer``); saves ``DistributionPlan``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.distribution import BY, WEIGHTS, DistributionPlan, UnknownPlan
from domain.farmer import Farmer
from domain.usecases.books import load_unit
from domain.usecases.masterdata import load_farmer
from domain.usecases.store import Store, command


@command
def draft_distribution(store: Store, *, unit_id: str, year: int, surplus_fen: int,
                       losses_fen: int, reserve_fen: int, patronage_share: Decimal,
                       members: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Draft (or redraft, until approved) a unit's plan for a year; the same draft twice is one."""
    load_unit(store, unit_id)
    store.prefetch(*(Farmer.create_id(m) for m in members))
    for member in members:
        load_farmer(store, member)
    draft = DistributionPlan.draft(unit_id=unit_id, year=year, surplus_fen=surplus_fen,
                                   losses_fen=losses_fen, reserve_fen=reserve_fen,
                                   patronage_share=patronage_share, members=members)
    plan = store.find(draft.id)
    if plan is None:
        plan = draft
    else:
        plan.redraft(draft)
    store.save(plan)
    return plan_answer(plan)


@command
def approve_distribution(store: Store, *, unit_id: str, year: int, approved_at: datetime,
                         meeting: str) -> dict[str, Any]:
    """The members' meeting approved the plan (its vouchers follow)."""
    plan = load_plan(store, unit_id, year)
    plan.approve(approved_at=approved_at, meeting=meeting)
    store.save(plan)
    return plan_answer(plan)


@command
def settle_distribution(store: Store, *, unit_id: str, year: int, how: str,
                        settled_at: datetime) -> dict[str, Any]:
    """Pay the approved refunds out, or convert them into the members' capital."""
    plan = load_plan(store, unit_id, year)
    plan.settle(how=how, settled_at=settled_at)
    store.save(plan)
    return plan_answer(plan)


def load_plan(store: Store, unit_id: str, year: int) -> DistributionPlan:
    return store.load(DistributionPlan, DistributionPlan.create_id(unit_id, year),
                      UnknownPlan(unit_id, year))


def plan_answer(plan: DistributionPlan) -> dict[str, Any]:
    """The plan; a line of a plan drafted before lines were told apart by capital, reserve
    share and subsidy answers null for them."""
    unknown = dict.fromkeys((*WEIGHTS, *BY.values()))
    return {"unit_id": plan.unit_id, "year": plan.year, **plan.figures,
            "approved_at": plan.approved_at, "settled": plan.settled,
            "lines": [{**unknown, **line} for line in plan.lines]}
