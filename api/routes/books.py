"""The books: units, sites' units and the chart (admin); vouchers, ledgers and trial balances
(admin, or the accountant of the unit; the whole district's, admin)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.deps import Admin, App, Caller, Id, Run, Views
from api.jsonio import Answer, ExactRoute
from contract.books import (
    AccountCode,
    ApprovalCreate,
    ArrearsPublic,
    AssetCardPublic,
    AssetCreate,
    AssetPublic,
    CapitalCorrection,
    CapitalCreate,
    CapitalPublic,
    ChartCreate,
    ChartPublic,
    LeaseCreate,
    LeasePublic,
    LedgerPublic,
    MemberAccountPublic,
    MembershipCreate,
    MembershipPublic,
    OwnMemberAccountPublic,
    PlanCreate,
    PlanPublic,
    ReceiptCorrection,
    RentDueCreate,
    RentReceiptCreate,
    ReserveShareCreate,
    ReserveSharePublic,
    SettlementCreate,
    SiteUnitCreate,
    SiteUnitPublic,
    StatementsPublic,
    TrialBalancePublic,
    UnitCreate,
    UnitPublic,
    VoucherPublic,
)
from contract.fields import Moment, Text
from contract.money import AmountCorrection
from contract.problems import problems
from contract.supply import InputLotPublic
from domain.books import DISTRICT_UNIT, statements
from domain.distribution import UnknownPlan
from domain.statements import MEMBERS, forms
from infra.problems import InvalidField
from infra.spreadsheet import SHANGHAI, XLSX, workbook

router = APIRouter(prefix="/v1", tags=["books"], route_class=ExactRoute)
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]
From = Annotated[Moment | None, Query(alias="from")]
To = Annotated[Moment | None, Query()]


@router.put("/units/{unit_id}", response_model=UnitPublic,
            response_description="the unit as registered",
            responses=problems(401, 403, 422))
def put_unit(unit_id: Id, body: UnitCreate, app: App, _: Admin) -> Answer:
    """Register an accounting unit (核算单位), or correct its name or kind."""
    return Answer(app.register_unit(unit_id=unit_id, **body.model_dump()))


@router.get("/units", response_model=list[UnitPublic],
            response_description="every unit",
            responses=problems(401, 403))
def get_units(views: Views, caller: Caller) -> Answer:
    caller.allow("accountant")  # names only: the books name the units a unit trades with
    return Answer(views.books.units())


@router.put("/sites/{site_id}/unit", response_model=SiteUnitPublic,
            response_description="the site's unit",
            responses=problems(401, 403, 404, 422))
def put_site_unit(site_id: Id, body: SiteUnitCreate, app: App, _: Admin) -> Answer:
    """The unit whose books a site's business goes to from now on (one unit at a time)."""
    return Answer(app.assign_site_to_unit(site_id=site_id, unit_id=body.unit_id))


@router.put("/chart", response_model=ChartPublic,
            response_description="the chart as loaded",
            responses=problems(401, 403, 422))
def put_chart(body: ChartCreate, app: App, _: Admin) -> Answer:
    """Load the district's own chart of accounts (it must keep the accounts the posting rules
    post to); until then the cooperative chart applies."""
    return Answer(app.load_chart(district=DISTRICT_UNIT, **body.model_dump()))


@router.get("/chart", response_model=ChartPublic,
            response_description="the chart in force",
            responses=problems(401, 403))
def get_chart(app: App, caller: Caller) -> Answer:
    caller.allow("accountant")
    return Answer(app.chart(DISTRICT_UNIT))


@router.get("/units/{unit_id}/vouchers", response_model=list[VoucherPublic],
            response_description="the unit's vouchers",
            responses=problems(401, 403, 422))
def get_vouchers(unit_id: Id, views: Views, caller: Caller, month: Month = None) -> Answer:
    """记账凭证 in number order (of one month), each line pointing at its event."""
    caller.allow("accountant", scope=unit_id)
    return Answer(views.books.vouchers(unit_id, month))


VOUCHER_LINE = [("number", "凭证号"), ("at", "日期"), ("kind", "业务"), ("account", "科目编码"),
                ("account_name", "科目名称"), ("sub", "明细"), ("debit_fen", "借方(分)"),
                ("credit_fen", "贷方(分)"), ("ref", "凭证引用"), ("event_id", "事件号")]


def _voucher_lines(app: App, views: Views, unit_id: str, month: str | None) -> list[tuple[object, ...]]:
    """One row per voucher line, in voucher number order, with the account's name."""
    names = {a["code"]: a["name"] for a in app.chart(DISTRICT_UNIT)["accounts"]}
    return [(voucher["number"], voucher["at"], voucher["kind"], entry["account"],
             names.get(entry["account"], ""), entry["sub"] or "", entry["debit_fen"],
             entry["credit_fen"], voucher["ref"], voucher["event_id"])
            for voucher in views.books.vouchers(unit_id, month) for entry in voucher["lines"]]


@router.get("/units/{unit_id}/vouchers.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "one row per line"},
                       **problems(401, 403, 422)})
def get_vouchers_csv(unit_id: Id, app: App, views: Views, caller: Caller,
                     month: Month = None) -> Response:
    """The vouchers for a spreadsheet: one row per voucher line (UTF-8 with a BOM, so a
    spreadsheet opens the Chinese names right)."""
    caller.allow("accountant", scope=unit_id)
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow([en for en, _ in VOUCHER_LINE])
    for row in _voucher_lines(app, views, unit_id, month):
        rows.writerow([v.isoformat() if isinstance(v, datetime) else v for v in row])
    name = f"vouchers-{unit_id}-{month or 'all'}.csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/units/{unit_id}/vouchers.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "one row per voucher line"},
                       **problems(401, 403, 422)})
def get_vouchers_xlsx(unit_id: Id, app: App, views: Views, caller: Caller,
                      month: Month = None) -> Response:
    """The vouchers as an XLSX workbook: one sheet, one row per voucher line; row 1 the
    English headers, row 2 the Chinese; dates in the co-op's zone, amounts in fen as numbers."""
    caller.allow("accountant", scope=unit_id)
    rows = _voucher_lines(app, views, unit_id, month)
    name = f"vouchers-{unit_id}-{month or 'all'}.xlsx"
    return Response(workbook({"vouchers": VOUCHER_LINE}, {"vouchers": rows}), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/units/{unit_id}/input-stock", response_model=list[InputLotPublic],
            response_description="the unit's input stock, per site and lot",
            responses=problems(401, 403, 422))
def get_unit_input_stock(unit_id: Id, views: Views, caller: Caller) -> Answer:
    """The input stock of the unit's sites as they belong to it now (the district union's: of
    the sites of no unit), per site, product and lot at cost: what its 产品物资 holds of inputs."""
    caller.allow("accountant", scope=unit_id)
    units = views.books.site_units()
    return Answer([row for row in views.supply.stock()
                   if units.get(row["site_id"], DISTRICT_UNIT) == unit_id])


@router.get("/units/{unit_id}/trial-balance", response_model=TrialBalancePublic,
            response_description="科目余额表",
            responses=problems(401, 403, 422))
def get_trial_balance(unit_id: Id, app: App, views: Views, caller: Caller, from_: From = None,
                      to: To = None) -> Answer:
    """Per account: opening balance, the period's debits and credits, closing balance."""
    caller.allow("accountant", scope=unit_id)
    return Answer(views.books.trial_balance(app.chart(DISTRICT_UNIT)["accounts"], unit_id,
                                            *_period(from_, to)))


@router.get("/units/{unit_id}/statements", response_model=StatementsPublic,
            response_description="资产负债表 and 盈余表",
            responses=problems(401, 403, 422))
def get_statements(unit_id: Id, app: App, views: Views, caller: Caller, from_: From = None,
                   to: To = None) -> Answer:
    """The balance sheet at ``to`` and the surplus of the period, from the trial balance; and
    the forms as filed (``forms``: 会农社01表 and 02表 of ``to``'s year, line by line)."""
    caller.allow("accountant", scope=unit_id)
    chart = app.chart(DISTRICT_UNIT)["accounts"]
    balance = views.books.trial_balance(chart, unit_id, *_period(from_, to))
    return Answer({"unit_id": unit_id, "from": from_, "to": to,
                   **statements(balance["accounts"]), "forms": _forms(views, chart, unit_id, to)})


STATEMENT_SHEETS = {
    "资产负债表": [("line", "行次"), ("item", "项目"), ("opening_fen", "年初数(分)"),
                  ("closing_fen", "年末数(分)")],
    "盈余及盈余分配表": [("line", "行次"), ("item", "项目"), ("amount_fen", "金额(分)")]}


@router.get("/units/{unit_id}/statements.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "会农社01表 and 02表"},
                       **problems(401, 403, 422)})
def get_statements_xlsx(unit_id: Id, app: App, views: Views, caller: Caller,
                        to: To = None) -> Response:
    """The forms as an XLSX workbook to file: one sheet each, one row per line with its 行次;
    row 1 the English headers, row 2 the Chinese; amounts in fen as numbers."""
    caller.allow("accountant", scope=unit_id)
    filed = _forms(views, app.chart(DISTRICT_UNIT)["accounts"], unit_id, to)
    rows = {sheet: [tuple(line[key] for key, _ in columns)
                    for line in filed["balance_sheet" if sheet == "资产负债表" else "surplus"]]
            for sheet, columns in STATEMENT_SHEETS.items()}
    name = f"statements-{unit_id}-{filed['year']}.xlsx"
    return Response(workbook(STATEMENT_SHEETS, rows), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _forms(views: Views, chart: list[dict[str, Any]], unit_id: str,
           to: datetime | None) -> dict[str, Any]:
    """The forms of ``to``'s year (the co-op's calendar year, in its zone) up to ``to``."""
    year = (to or datetime.now(UTC)).astimezone(SHANGHAI).year
    start = datetime(year, 1, 1, tzinfo=SHANGHAI)
    balance = views.books.trial_balance(chart, unit_id, start, to)["accounts"]
    members = views.books.sub_balances(unit_id, MEMBERS, start, to)
    return {"year": year, **forms(balance, (members[0], members[1]))}


@router.get("/books/trial-balance", response_model=TrialBalancePublic,
            response_description="the district's 科目余额表",
            responses=problems(401, 403, 422))
def get_district_trial_balance(app: App, views: Views, _: Admin, from_: From = None,
                               to: To = None) -> Answer:
    """Every unit's postings together (district-wide supervision)."""
    return Answer(views.books.trial_balance(app.chart(DISTRICT_UNIT)["accounts"], None,
                                            *_period(from_, to)))


@router.get("/units/{unit_id}/ledger/{account}", response_model=LedgerPublic,
            response_description="the account's lines",
            responses=problems(401, 403, 422))
def get_ledger(unit_id: Id, account: AccountCode, views: Views, caller: Caller,
               sub: Annotated[Text | None, Query(examples=["member:f-zhang"])] = None,
               from_: From = None, to: To = None) -> Answer:
    """General ledger of an account, or its sub-ledger (``sub``), with a running balance."""
    caller.allow("accountant", scope=unit_id)
    return Answer(views.books.ledger(unit_id, account, *_period(from_, to), sub=sub))


def _period(from_: datetime | None, to: datetime | None) -> tuple[datetime | None, datetime | None]:
    if from_ is not None and to is not None and from_ >= to:
        raise InvalidField("the period ends before it begins: `from` is not before `to`",
                           field="from", message="is not before to")
    return from_, to


Year = Annotated[int, Path(ge=2000, le=2099, examples=[2026])]


@router.get("/units/{unit_id}/member-accounts", response_model=list[MemberAccountPublic],
            response_description="each member's account",
            responses=problems(401, 403, 422))
def get_member_accounts(unit_id: Id, views: Views, caller: Caller,
                        year: Annotated[int, Query(ge=2000, le=2099)]) -> Answer:
    """成员账户: capital and the year's transactions with the unit per product (the patronage
    base of the distribution plan)."""
    caller.allow("accountant", scope=unit_id)
    return Answer(views.books.member_accounts(unit_id, year))


@router.put("/units/{unit_id}/distribution-plans/{year}", response_model=PlanPublic,
            response_description="the plan as drafted",
            responses=problems(401, 403, 404, 409, 422))
def put_plan(unit_id: Id, year: Year, body: PlanCreate, app: App, caller: Caller) -> Answer:
    """Draft (or redraft, until the members' meeting approved it) the year's distribution:
    at least 60 % by transactions, the rest by capital, reserve share and subsidies."""
    caller.allow("accountant", scope=unit_id)
    return Answer(app.draft_distribution(unit_id=unit_id, year=year, **body.model_dump()))


@router.get("/units/{unit_id}/distribution-plans/{year}", response_model=PlanPublic,
            response_description="the plan",
            responses=problems(401, 403, 404, 422))
def get_plan(unit_id: Id, year: Year, app: App, caller: Caller) -> Answer:
    caller.allow("accountant", scope=unit_id)
    return Answer(app.distribution_plan(unit_id, year))


@router.post("/units/{unit_id}/distribution-plans/{year}/approval", response_model=PlanPublic,
             response_description="the plan, approved",
             responses=problems(401, 403, 404, 422))
def post_approval(unit_id: Id, year: Year, body: ApprovalCreate, app: App, _: Admin) -> Answer:
    """The members' meeting approved the plan; its vouchers are posted. Approving again
    changes nothing."""
    return Answer(app.approve_distribution(unit_id=unit_id, year=year, **body.model_dump()))


@router.post("/units/{unit_id}/distribution-plans/{year}/settlement", response_model=PlanPublic,
             response_description="the plan, settled",
             responses=problems(401, 403, 404, 409, 422))
def post_settlement(unit_id: Id, year: Year, body: SettlementCreate, app: App,
                    caller: Caller) -> Answer:
    """Pay the refunds out or convert them into capital; the same again changes nothing."""
    caller.allow("accountant", scope=unit_id)
    return Answer(app.settle_distribution(unit_id=unit_id, year=year, **body.model_dump()))


@router.put("/units/{unit_id}/members/{farmer_id}", response_model=MembershipPublic,
            response_description="the farmer's standing with the unit",
            responses=problems(401, 403, 404, 422))
def put_membership(unit_id: Id, farmer_id: Id, body: MembershipCreate, app: App,
                   caller: Caller) -> Answer:
    """Whether a farmer is the unit's member from now on (every farmer is until the unit says
    otherwise): a non-member's business is kept apart in the books; the same again records
    nothing."""
    caller.allow("accountant", scope=unit_id)
    return Answer(app.declare_membership(unit_id=unit_id, farmer_id=farmer_id,
                                         is_member=body.is_member))


@router.put("/units/{unit_id}/members/{farmer_id}/reserve-shares/{year}",
            response_model=ReserveSharePublic,
            response_description="the member's quantified reserve share for the year",
            responses=problems(401, 403, 404, 422))
def put_reserve_share(unit_id: Id, farmer_id: Id, year: Year, body: ReserveShareCreate,
                      app: App, caller: Caller) -> Answer:
    """A member's quantified share of the reserve (公积金量化份额) for a year, kept on their
    member account and offered to the year's plan; saying it again replaces it."""
    caller.allow("accountant", scope=unit_id)
    return Answer(app.quantify_reserve(unit_id=unit_id, farmer_id=farmer_id, year=year,
                                       amount_fen=body.amount_fen))


@router.post("/units/{unit_id}/members/{farmer_id}/capital", response_model=CapitalPublic,
             response_description="the contribution recorded",
             responses=problems(401, 403, 404, 409, 422))
def post_capital(unit_id: Id, farmer_id: Id, body: CapitalCreate, app: App,
                 caller: Caller) -> Answer:
    """A member pays in capital (股金); the reference makes a contribution sent twice count once."""
    caller.allow("accountant", scope=unit_id)
    return Answer(app.contribute_capital(unit_id=unit_id, farmer_id=farmer_id,
                                         **body.model_dump()))


@router.post("/units/{unit_id}/members/{farmer_id}/capital/{reference}/correction",
             response_model=CapitalPublic, response_description="the contribution as corrected",
             responses=problems(401, 403, 404, 409, 422))
def post_capital_correction(unit_id: Id, farmer_id: Id, reference: Text, body: AmountCorrection,
                            caller: Caller, run: Run) -> Answer:
    """A contribution recorded wrong (amount or method): the books post its reversal (红字)
    and the contribution anew; the same Idempotency-Key again records nothing."""
    caller.allow("accountant", scope=unit_id)
    return run(CapitalCorrection(unit_id=unit_id, farmer_id=farmer_id, reference=reference,
                                 **body.model_dump()))


@router.put("/assets/{asset_id}", response_model=AssetPublic,
            response_description="the asset's card",
            responses=problems(401, 403, 404, 409, 422))
def put_asset(asset_id: Id, body: AssetCreate, app: App, caller: Caller) -> Answer:
    """A co-op asset's card (社有资产卡片), or its correction; a lease names it by ``asset_id``.
    A card stays with its unit (another unit: 409)."""
    caller.allow("accountant", scope=body.unit_id)
    return Answer(app.register_asset(asset_id=asset_id, **body.model_dump()))


@router.get("/units/{unit_id}/assets", response_model=list[AssetCardPublic],
            response_description="the unit's asset cards with their leases",
            responses=problems(401, 403, 422))
def get_assets(unit_id: Id, views: Views, caller: Caller) -> Answer:
    caller.allow("accountant", scope=unit_id)
    return Answer(views.books.assets(unit_id))


@router.put("/leases/{lease_id}", response_model=LeasePublic,
            response_description="the lease",
            responses=problems(401, 403, 404, 409, 422))
def put_lease(lease_id: Id, body: LeaseCreate, app: App, caller: Caller) -> Answer:
    """A lease of a unit's asset to a tenant; the same lease again records nothing."""
    caller.allow("accountant", scope=body.unit_id)
    return Answer(app.sign_lease(lease_id=lease_id, **body.model_dump()))


@router.post("/leases/{lease_id}/rent-due", response_model=LeasePublic,
             response_description="the lease with its months due",
             responses=problems(401, 403, 404, 422))
def post_rent_due(lease_id: Id, body: RentDueCreate, app: App, caller: Caller) -> Answer:
    """Charge every month of the lease up to ``through`` not charged yet (the monthly job)."""
    caller.allow("accountant", scope=app.lease(lease_id).unit_id)
    return Answer(app.charge_rent(lease_id=lease_id, through=body.through))


@router.post("/leases/{lease_id}/receipts", response_model=LeasePublic,
             response_description="the lease after the receipt",
             responses=problems(401, 403, 404, 409, 422))
def post_rent_receipt(lease_id: Id, body: RentReceiptCreate, app: App, caller: Caller) -> Answer:
    """Rent received; its reference makes a receipt sent twice count once; more than the
    arrears is refused."""
    caller.allow("accountant", scope=app.lease(lease_id).unit_id)
    return Answer(app.receive_rent(lease_id=lease_id, **body.model_dump()))


@router.post("/leases/{lease_id}/receipts/{reference}/correction", response_model=LeasePublic,
             response_description="the lease after the correction",
             responses=problems(401, 403, 404, 409, 422))
def post_receipt_correction(lease_id: Id, reference: Text, body: ReceiptCorrection, app: App,
                            caller: Caller) -> Answer:
    """A receipt recorded wrong (amount or method): the books post its reversal (红字) and the
    receipt anew; the same correction again records nothing; more than was due is refused."""
    caller.allow("accountant", scope=app.lease(lease_id).unit_id)
    return Answer(app.correct_rent_receipt(lease_id=lease_id, reference=reference,
                                           **body.model_dump()))


@router.get("/units/{unit_id}/arrears", response_model=list[ArrearsPublic],
            response_description="rent owed per tenant",
            responses=problems(401, 403, 422))
def get_arrears(unit_id: Id, views: Views, caller: Caller) -> Answer:
    caller.allow("accountant", scope=unit_id)
    return Answer(views.books.arrears(unit_id))


@router.get("/farmers/{farmer_id}/member-account", response_model=OwnMemberAccountPublic,
            response_description="the member's account in each unit",
            responses=problems(401, 403, 404, 422))
def get_own_member_account(farmer_id: Id, app: App, views: Views, caller: Caller,
                           year: Annotated[int, Query(ge=2000, le=2099)]) -> Answer:
    """A member's own account (art. 43) in every unit they trade with or hold capital in: capital,
    the year's trade per product, and their line of the year's distribution plan with its step
    (drafted, approved, paid or converted) — what the farmer's page shows."""
    caller.allow("farmer", scope=farmer_id)
    name = app.farmer(farmer_id).name
    units = []
    for unit in views.books.units():
        account = next((a for a in views.books.member_accounts(unit["unit_id"], year)
                        if a["farmer_id"] == farmer_id), None)
        try:
            plan = app.distribution_plan(unit["unit_id"], year)
        except UnknownPlan:
            plan = None
        line = next((x for x in plan["lines"] if x["member_id"] == farmer_id), None) if plan else None
        if account is None and line is None:
            continue
        refund = None if line is None or plan is None else {
            "patronage_fen": line["patronage_fen"], "remainder_fen": line["remainder_fen"],
            "total_fen": line["total_fen"],
            "step": plan["settled"] or ("approved" if plan["approved_at"] else "drafted")}
        units.append({"unit_id": unit["unit_id"], "unit_name": unit["name"],
                      "capital_fen": account["capital_fen"] if account else 0,
                      "trade_fen": account["trade_fen"] if account else 0,
                      "transactions": account["transactions"] if account else [],
                      "refund": refund})
    return Answer({"farmer_id": farmer_id, "farmer_name": name, "year": year, "units": units})
