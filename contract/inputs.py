"""Farm inputs: a shop's sale to a farmer, and the farmer's spray diary."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from contract.fields import Code, Command, Fen, Happened, Kg, KgPositive, Public, Text


class InputSaleLine(Command):
    sku: Code
    lot: Text
    quantity: KgPositive
    unit_price_fen: Fen


class InputSaleCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"shop_id": "shop-tangchang", "farmer_id": "f-wang", "sold_at": "2026-11-02T10:00:00+08:00",
         "payment": "credit", "lines": [
             {"sku": "bichonglin", "lot": "LOT-BCL-0921", "quantity": 1, "unit_price_fen": 2800}]}]})
    route = "POST /v1/input-sales"

    shop_id: Code
    farmer_id: Code
    sold_at: Happened
    payment: Literal["cash", "credit"]
    lines: Annotated[list[InputSaleLine], Field(min_length=1, max_length=200)]


class InputSalePublic(Public):
    sale_id: str
    total_fen: int


class InputSaleCorrectionLine(Command):
    quantity: KgPositive
    unit_price_fen: Fen


class InputSaleCorrectionCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"shop_id": "shop-tangchang", "lines": [{"quantity": 2, "unit_price_fen": 2800}],
         "reason": "少录一瓶", "corrected_at": "2026-11-02T11:00:00+08:00"}]})
    status = 200

    shop_id: Code
    lines: Annotated[list[InputSaleCorrectionLine], Field(
        min_length=1, max_length=200,
        description="the quantity and unit price of each line of the sale, in order")]
    reason: Text
    corrected_at: Happened


class InputSaleCorrection(InputSaleCorrectionCreate):
    route = "POST /v1/input-sales/{sale_id}/correction"
    sale_id: Text


class CorrectedSaleLine(Public):
    sku: str
    lot: str
    quantity: Kg
    unit_price_fen: int
    line_fen: int


class InputSaleCorrectionPublic(Public):
    sale_id: str
    shop_id: str
    total_fen: int
    lines: list[CorrectedSaleLine]


class InputApplicationCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"farmer_id": "f-wang", "sku": "bichonglin", "lot": "LOT-BCL-0921",
         "applied_at": "2026-11-02T16:00:00+08:00", "crop_sku": "jiuhuang"}]})
    route = "POST /v1/input-applications"

    farmer_id: Code
    sku: Code
    lot: Text
    applied_at: Happened
    crop_sku: Code


class InputApplicationPublic(Public):
    application_id: str
