"""The books: accounting units, which unit a site belongs to, the chart of accounts, and the
vouchers, ledgers and trial balance posted from the events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints

from contract.fields import Code, Command, Decimals, Fen, Happened, Public, Text
from contract.money import AmountCorrection

AccountCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}$")]


class UnitCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "安德供销社", "kind": "grassroots"}]})
    name: Text
    kind: Literal["union", "company", "grassroots", "village"]


class UnitPublic(Public):
    unit_id: str
    name: str
    kind: Literal["union", "company", "grassroots", "village"]


class SiteUnitCreate(Command):
    unit_id: Code


class SiteUnitPublic(Public):
    site_id: str
    unit_id: str


class Account(Command):
    code: AccountCode
    name: Text
    side: Literal["debit", "credit"]
    sub: Literal["member", "supplier", "tenant", "unit"] | None = None


class ChartCreate(Command):
    accounts: Annotated[list[Account], Field(min_length=1, max_length=2000)]


class ChartPublic(Public):
    district: str
    accounts: list[Account]
    default: bool = False


class VoucherLine(Public):
    account: str
    sub: str | None
    debit_fen: int
    credit_fen: int


class VoucherPublic(Public):
    number: str = Field(description="per unit and month: YYYY-MM-NNNN")
    unit_id: str
    at: datetime
    kind: str
    ref: str = Field(description="the event's aggregate id and version")
    event_id: int
    lines: list[VoucherLine]


class TrialBalanceAccount(Public):
    account: str
    name: str | None
    side: Literal["debit", "credit"]
    opening_fen: int
    debit_fen: int
    credit_fen: int
    closing_fen: int


class TrialBalancePublic(Public):
    unit_id: str | None
    from_: datetime | None = Field(alias="from")
    to: datetime | None
    accounts: list[TrialBalanceAccount]
    debit_fen: int
    credit_fen: int
    balanced: bool


class LedgerLine(Public):
    at: datetime
    number: str
    kind: str
    sub: str | None
    debit_fen: int
    credit_fen: int
    balance_fen: int
    ref: str
    event_id: int


class LedgerPublic(Public):
    unit_id: str
    account: str
    sub: str | None
    opening_fen: int
    lines: list[LedgerLine]
    closing_fen: int


class MemberFigures(Command):
    trade_fen: Fen = 0
    capital_fen: Fen = 0
    reserve_share_fen: Fen = 0
    subsidy_fen: Fen = 0


class PlanCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"surplus_fen": 1000001, "losses_fen": 20000, "reserve_fen": 98000,
         "patronage_share": 0.6, "members": {
             "f-zhang": {"trade_fen": 300000, "capital_fen": 10000},
             "f-li": {"trade_fen": 200000, "capital_fen": 15000, "reserve_share_fen": 5000},
             "f-wang": {"trade_fen": 100000, "subsidy_fen": 3000}}}]})
    surplus_fen: Fen
    losses_fen: Fen = 0
    reserve_fen: Fen = 0
    patronage_share: Annotated[Decimal, Field(ge=Decimal("0.6"), le=1, decimal_places=4,
                                              description="share returned by transactions, "
                                                          "at least 0.6")]
    members: Annotated[dict[Code, MemberFigures], Field(min_length=1, max_length=100_000)]


class ApprovalCreate(Command):
    route = "POST /v1/units/{unit_id}/distribution-plans/{year}/approval"
    approved_at: Happened
    meeting: Text


class SettlementCreate(Command):
    route = "POST /v1/units/{unit_id}/distribution-plans/{year}/settlement"
    how: Literal["paid", "converted"]
    settled_at: Happened


class PlanLine(Public):
    """A member's part: the patronage refund by trade, and the rest dealt by capital, reserve
    share and subsidy (``by_*``, adding up to ``remainder_fen`` to the fen); the figures dealt
    by and the parts are null on a plan drafted before parts were kept."""
    member_id: str
    trade_fen: int
    capital_fen: int | None
    reserve_share_fen: int | None = Field(description="the member's quantified reserve share "
                                                      "(公积金量化份额) the plan dealt by")
    subsidy_fen: int | None
    patronage_fen: int
    remainder_fen: int
    by_capital_fen: int | None
    by_reserve_fen: int | None
    by_subsidy_fen: int | None
    total_fen: int


class PlanPublic(Public):
    unit_id: str
    year: int
    surplus_fen: int
    losses_fen: int
    reserve_fen: int
    distributable_fen: int
    patronage_share: Decimals
    approved_at: datetime | None
    settled: Literal["paid", "converted"] | None
    lines: list[PlanLine]


class MemberTransaction(Public):
    direction: Literal["bought_inputs", "sold_produce"]
    sku: str
    quantity: Decimals
    amount_fen: int


class MemberAccountPublic(Public):
    farmer_id: str
    capital_fen: int
    reserve_share_fen: int
    trade_fen: int
    transactions: list[MemberTransaction]


class MemberRefund(Public):
    patronage_fen: int
    remainder_fen: int
    total_fen: int
    step: Literal["drafted", "approved", "paid", "converted"]


class MemberUnitAccount(Public):
    unit_id: str
    unit_name: str
    capital_fen: int
    trade_fen: int
    transactions: list[MemberTransaction]
    refund: MemberRefund | None


class OwnMemberAccountPublic(Public):
    farmer_id: str
    farmer_name: str
    year: int
    units: list[MemberUnitAccount]


class MembershipCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"is_member": False}]})
    is_member: StrictBool = Field(description="false: business with the farmer posts to 应收款 / "
                            "应付款 under their own sub-account, apart from 成员往来, and is no "
                            "patronage; farmers are members until a unit says otherwise")


class MembershipPublic(Public):
    unit_id: str
    farmer_id: str
    is_member: bool


class ReserveShareCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount_fen": 12500}]})
    amount_fen: Fen


class ReserveSharePublic(Public):
    unit_id: str
    farmer_id: str
    year: int
    amount_fen: int


class CapitalCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount_fen": 100000, "paid_at": "2026-03-01T10:00:00+08:00", "method": "bank_transfer",
         "reference": "GJ-2026-0001"}]})
    amount_fen: Annotated[int, Field(gt=0, le=10**12)]
    paid_at: Happened
    method: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")]
    reference: Text


class CapitalCorrection(AmountCorrection):
    route = "POST /v1/units/{unit_id}/members/{farmer_id}/capital/{reference}/correction"
    unit_id: Code
    farmer_id: Code
    reference: Text


class CapitalPublic(Public):
    unit_id: str
    farmer_id: str
    reference: str
    amount_fen: int
    capital_fen: int


class BalanceSheet(Public):
    assets_fen: int
    costs_fen: int
    liabilities_fen: int
    equity_fen: int
    surplus_not_carried_fen: int
    balanced: bool


class SurplusStatement(Public):
    income_fen: dict[str, int]
    expenses_fen: dict[str, int]
    surplus_fen: int
    distributed_fen: int


class SheetLine(Public):
    line: int
    item: str
    accounts: list[str]  # the account codes (prefixes) the line reads: where it drills down
    opening_fen: int
    closing_fen: int


class SurplusLine(Public):
    line: int
    item: str
    accounts: list[str]
    amount_fen: int


class Forms(Public):
    """The forms as filed: 资产负债表 (会农社01表) at ``to`` beside the start of its year, and
    盈余及盈余分配表 (会农社02表) for the year to ``to``; each line with its 行次."""
    year: int
    balance_sheet: list[SheetLine]
    surplus: list[SurplusLine]
    balanced: bool
    unmapped: list[str]


class StatementsPublic(Public):
    unit_id: str
    from_: datetime | None = Field(alias="from")
    to: datetime | None
    balance_sheet: BalanceSheet
    surplus: SurplusStatement
    forms: Forms


Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


AssetKind = Literal["shop_front", "warehouse", "land", "building", "equipment", "other"]


class AssetCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"unit_id": "ande", "name": "安德镇正街12号门面", "kind": "shop_front",
         "location": "安德镇正街12号", "area_m2": 85, "value_fen": 36000000,
         "acquired": "1998-06"}]})
    unit_id: Code
    name: Text
    kind: AssetKind
    location: Text
    area_m2: Annotated[int | None, Field(gt=0, le=10**9)] = None
    value_fen: Annotated[int, Field(ge=0, le=10**14, description="original value (原值) in fen")]
    acquired: Month


class LeaseOfAsset(Public):
    lease_id: str
    tenant: str
    monthly_rent_fen: int
    starts: str
    ends: str


class AssetPublic(Public):
    asset_id: str
    unit_id: str
    name: str
    kind: AssetKind
    location: str
    area_m2: int | None
    value_fen: int
    acquired: str


class AssetCardPublic(AssetPublic):
    leases: list[LeaseOfAsset]


class LeaseCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"unit_id": "ande", "asset": "安德镇正街12号门面", "tenant": "李记农资", "monthly_rent_fen": 180000,
         "starts": "2026-01", "ends": "2028-12"}]})
    unit_id: Code
    asset: Text
    tenant: Text
    monthly_rent_fen: Annotated[int, Field(gt=0, le=10**12)]
    starts: Month
    ends: Month


class RentDueCreate(Command):
    through: Month


class RentReceiptCreate(Command):
    amount_fen: Annotated[int, Field(gt=0, le=10**12)]
    received_at: Happened
    method: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")]
    reference: Text


class ReceiptCorrection(AmountCorrection):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount_fen": 150000, "method": "bank_transfer", "reason": "录错金额",
         "corrected_at": "2026-03-05T10:00:00+08:00"}]})


class LeasePublic(Public):
    lease_id: str
    unit_id: str
    asset: str
    tenant: str
    monthly_rent_fen: int
    starts: str
    ends: str
    months_due: list[str]
    due_fen: int
    arrears_fen: int


class ArrearsPublic(Public):
    tenant: str
    arrears_fen: int
