"""The books: accounting units, which unit a site belongs to, the chart of accounts, and the
vouchers, ledgers and trial balance posted from the events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from infra.fields import Code, Command, Text

AccountCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}$")]


class UnitCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "安德供销社", "kind": "grassroots"}]})
    name: Text
    kind: Literal["union", "company", "grassroots", "village"]


class UnitPublic(BaseModel):
    unit_id: str
    name: str
    kind: str


class SiteUnitCreate(Command):
    unit_id: Code


class SiteUnitPublic(BaseModel):
    site_id: str
    unit_id: str


class Account(Command):
    code: AccountCode
    name: Text
    side: Literal["debit", "credit"]
    sub: Literal["member", "supplier", "tenant", "unit"] | None = None


class ChartCreate(Command):
    accounts: Annotated[list[Account], Field(min_length=1, max_length=2000)]


class ChartPublic(BaseModel):
    district: str
    accounts: list[Account]
    default: bool = False


class VoucherLine(BaseModel):
    account: str
    sub: str | None
    debit_fen: int
    credit_fen: int


class VoucherPublic(BaseModel):
    number: str = Field(description="per unit and month: YYYY-MM-NNNN")
    unit_id: str
    at: datetime
    kind: str
    ref: str = Field(description="the event's aggregate id and version")
    event_id: int
    lines: list[VoucherLine]


class TrialBalanceAccount(BaseModel):
    account: str
    name: str | None
    side: str
    opening_fen: int
    debit_fen: int
    credit_fen: int
    closing_fen: int


class TrialBalancePublic(BaseModel):
    unit_id: str | None
    from_: datetime | None = Field(alias="from")
    to: datetime | None
    accounts: list[TrialBalanceAccount]
    debit_fen: int
    credit_fen: int
    balanced: bool


class LedgerLine(BaseModel):
    at: datetime
    number: str
    kind: str
    sub: str | None
    debit_fen: int
    credit_fen: int
    balance_fen: int
    ref: str
    event_id: int


class LedgerPublic(BaseModel):
    unit_id: str
    account: str
    sub: str | None
    opening_fen: int
    lines: list[LedgerLine]
    closing_fen: int
