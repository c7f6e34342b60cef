"""The books' master data: accounting units, which unit each site belongs to, and the chart of
accounts a district loads. The vouchers themselves are a projection of the events
(``projections.books``), posted by ``domain.books``' rules.

Loads ``Site`` and ``Farmer``; saves ``AccountingUnit``, ``SiteUnit``, ``Chart``,
``MemberCapital``, ``Membership`` and ``ReserveShares``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.books import (
    DEFAULT_CHART,
    AccountingUnit,
    Chart,
    MemberCapital,
    Membership,
    ReserveShares,
    SiteUnit,
    UnknownUnit,
    check_chart,
)
from domain.errors import NotFound
from domain.usecases.masterdata import load_farmer, load_site
from domain.usecases.store import Store, command
from domain.values import command_id


@command
def register_unit(store: Store, *, unit_id: str, name: str, kind: str) -> dict[str, Any]:
    """Register an accounting unit, or correct its details: PUT semantics, safe to repeat."""
    unit = store.find(AccountingUnit.create_id(unit_id))
    if unit is None:
        unit = AccountingUnit.register(unit_id=unit_id, name=name, kind=kind)
    else:
        unit.correct_details(name=name, kind=kind)
    store.save(unit)
    return {"unit_id": unit_id, "name": unit.name, "kind": unit.kind}


@command
def assign_site_to_unit(store: Store, *, site_id: str, unit_id: str) -> dict[str, Any]:
    """A site's business goes to one unit's books; assigning it again moves it."""
    load_site(store, site_id)
    load_unit(store, unit_id)
    assigned = store.find(SiteUnit.create_id(site_id))
    if assigned is None:
        assigned = SiteUnit(site_id=site_id, unit_id=unit_id)
    else:
        assigned.move_to(unit_id)
    store.save(assigned)
    return {"site_id": site_id, "unit_id": unit_id}


@command
def contribute_capital(store: Store, *, unit_id: str, farmer_id: str, amount_fen: int,
                       paid_at: datetime, method: str, reference: str) -> dict[str, Any]:
    """A member pays capital (股金) into a unit; its reference makes it count once."""
    load_unit(store, unit_id)
    load_farmer(store, farmer_id)
    capital = store.load_or_open(MemberCapital, unit_id=unit_id, farmer_id=farmer_id)
    capital.contribute(amount_fen=amount_fen, paid_at=paid_at, method=method, reference=reference)
    store.save(capital)
    return {"unit_id": unit_id, "farmer_id": farmer_id, "reference": reference,
            "amount_fen": amount_fen, "capital_fen": capital.capital_fen}


@command
def correct_capital(store: Store, *, unit_id: str, farmer_id: str, reference: str,
                    amount_fen: int, method: str, reason: str, corrected_at: datetime,
                    key: str | None = None) -> dict[str, Any]:
    """A capital contribution recorded wrong, corrected: the books reverse it and post it anew."""
    capital = store.find(MemberCapital.create_id(unit_id, farmer_id))
    if not isinstance(capital, MemberCapital):
        raise NotFound(f"no capital contribution {reference} of {farmer_id} to {unit_id}",
                       reference=reference)
    capital.correct(correction_id=str(command_id("capital_correction", key)),
                    reference=reference, amount_fen=amount_fen, method=method, reason=reason,
                    corrected_at=corrected_at)
    store.save(capital)
    return {"unit_id": unit_id, "farmer_id": farmer_id, "reference": reference,
            "amount_fen": capital.contributions[reference]["amount_fen"],
            "capital_fen": capital.capital_fen}


@command
def declare_membership(store: Store, *, unit_id: str, farmer_id: str,
                       is_member: bool) -> dict[str, Any]:
    """Whether a farmer is a member of a unit from now on (members by default)."""
    load_unit(store, unit_id)
    load_farmer(store, farmer_id)
    membership = store.find(Membership.create_id(unit_id, farmer_id))
    if membership is None:
        membership = Membership(unit_id=unit_id, farmer_id=farmer_id, is_member=is_member)
    else:
        membership.declare(is_member)
    store.save(membership)
    return {"unit_id": unit_id, "farmer_id": farmer_id, "is_member": membership.is_member}


@command
def quantify_reserve(store: Store, *, unit_id: str, farmer_id: str, year: int,
                     amount_fen: int) -> dict[str, Any]:
    """A member's quantified reserve share for a year (replacing what was said for it)."""
    load_unit(store, unit_id)
    load_farmer(store, farmer_id)
    shares = store.load_or_open(ReserveShares, unit_id=unit_id, farmer_id=farmer_id)
    shares.quantify(year=year, amount_fen=amount_fen)
    store.save(shares)
    return {"unit_id": unit_id, "farmer_id": farmer_id, "year": year, "amount_fen": amount_fen}


@command
def load_chart(store: Store, *, district: str, accounts: list[dict[str, Any]]) -> dict[str, Any]:
    """A district loads its own chart of accounts (it must keep the accounts the rules post to)."""
    checked = check_chart(accounts)
    chart = store.find(Chart.create_id(district))
    if chart is None:
        chart = Chart(district=district, accounts=checked)
    else:
        chart.reload(checked)
    store.save(chart)
    return {"district": district, "accounts": checked}


def chart_of(store: Store, district: str) -> dict[str, Any]:
    """The chart a district loaded, or the default one."""
    chart = store.find(Chart.create_id(district))
    accounts = chart.accounts if isinstance(chart, Chart) else list(DEFAULT_CHART)
    return {"district": district, "accounts": accounts, "default": chart is None}


def load_unit(store: Store, unit_id: str) -> AccountingUnit:
    return store.load(AccountingUnit, AccountingUnit.create_id(unit_id), UnknownUnit(unit_id))
