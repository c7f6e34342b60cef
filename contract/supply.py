"""Input supply at cost: purchases (进货), transfers between the warehouse and the shops, the
input stock per site and lot, and the pesticide-supply share (农药统供率)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from contract.fields import Code, Command, Decimals, Fen, Happened, KgPositive, Public, Text


class PurchaseLine(Command):
    sku: Code
    lot: Text
    quantity: KgPositive
    unit_cost_fen: Fen


class PurchaseCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"site_id": "wh-nongzi", "supplier": "成都植保药械有限公司", "invoice_no": "ZB-26-1107",
         "payment": "payable", "received_at": "2026-10-30T10:00:00+08:00",
         "lines": [{"sku": "bichonglin", "lot": "LOT-BCL-0921", "quantity": 30,
                    "unit_cost_fen": 2150}]}]})
    route = "POST /v1/input-purchases"

    site_id: Code
    supplier: Text
    invoice_no: Text
    payment: Literal["cash", "payable"]
    received_at: Happened
    lines: Annotated[list[PurchaseLine], Field(min_length=1, max_length=200)]


class PurchasePublic(Public):
    purchase_id: str
    site_id: str
    total_fen: int


class TransferLine(Command):
    sku: Code
    lot: Text
    quantity: KgPositive


class TransferCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"from_site_id": "wh-nongzi", "to_site_id": "shop-tangchang",
         "sent_at": "2026-10-31T09:00:00+08:00",
         "lines": [{"sku": "bichonglin", "lot": "LOT-BCL-0921", "quantity": 10}]}]})
    route = "POST /v1/input-transfers"

    from_site_id: Code
    to_site_id: Code
    sent_at: Happened
    lines: Annotated[list[TransferLine], Field(min_length=1, max_length=200)]


class TransferPublic(Public):
    transfer_id: str
    from_site_id: str
    to_site_id: str
    cost_fen: int


class InputLotPublic(Public):
    site_id: str
    sku: str
    lot: str
    on_hand: Decimals
    on_hand_cost_fen: int
    purchased: Decimals
    purchased_cost_fen: int
    transferred_in: Decimals
    transferred_out: Decimals
    sold: Decimals
    cogs_fen: int


class LotHolderPublic(Public):
    site_id: str
    on_hand: Decimals


class SupplyShare(Public):
    applications: int
    supplied: int
    rate: Decimals | None = Field(description="supplied / applications, 4 decimals; null when "
                                             "no pesticide application was recorded")


class AreaSupplyShare(SupplyShare):
    area: str


class PesticideSupplyPublic(SupplyShare):
    from_: datetime = Field(alias="from")
    to: datetime
    areas: list[AreaSupplyShare]


class PurchaseCorrectionCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"site_id": "wh-nongzi", "payment": "payable", "unit_costs_fen": [2100],
         "corrected_at": "2026-10-31T10:00:00+08:00"}]})

    site_id: Code
    payment: Literal["cash", "payable"]
    unit_costs_fen: Annotated[list[Fen], Field(min_length=1, max_length=200)]
    corrected_at: Happened


class PurchaseCorrectionPublic(Public):
    purchase_id: str
    site_id: str
    payment: Literal["cash", "payable"]
    total_fen: int
