"""Master data kept by co-op staff: farmers, sites, products and purchase prices."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from infra.fields import Command, Days, Fen, Grade, Moment, Temperature, Text, Visible

Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 -]{5,20}$"),
                  Field(examples=["13800000001"]), Visible]
Timezone = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_+/-]{1,64}$"), Visible]


class FarmerCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "张德明", "village": "永安村", "phone": "13800000001"}]})

    name: Text
    village: Text
    phone: Phone | None = None


class FarmerPublic(BaseModel):
    farmer_id: str
    name: str
    village: str
    phone: str | None


class SiteCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "永安村冷库（唐昌镇）", "kind": "cold_store", "timezone": "Asia/Shanghai"}]})

    name: Text
    kind: Literal["cold_store", "input_shop", "outlet", "warehouse"]
    timezone: Timezone | None = None


class SitePublic(BaseModel):
    site_id: str
    name: str
    kind: str
    timezone: str


class ProductCreate(Command):
    """Produce the co-op buys and packs, or an input its shops sell."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "韭黄", "kind": "produce", "unit": "kg", "shelf_life_days": 7,
         "temp_min_c": 0, "temp_max_c": 4},
        {"name": "吡虫啉 10%可湿性粉剂", "kind": "input", "unit": "bottle",
         "input_class": "pesticide", "active_ingredient": "吡虫啉",
         "registration_no": "PD20040001", "phi_days": 7}]})

    name: Text
    kind: Literal["produce", "input"]
    unit: Literal["kg", "bag", "bottle", "roll"]
    shelf_life_days: Days | None = None
    temp_min_c: Temperature | None = None
    temp_max_c: Temperature | None = None
    input_class: Literal["fertilizer", "pesticide", "film", "seed"] | None = None
    active_ingredient: Text | None = None
    registration_no: Text | None = None
    phi_days: Days | None = None


class PriceCreate(Command):
    """A purchase price per grade in fen per kg, in force from ``effective_from``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"effective_from": "2026-11-02T00:00:00+08:00", "grades": {"A": 1200, "B": 800}}]})

    effective_from: Moment
    grades: Annotated[dict[Grade, Fen], Field(min_length=1, max_length=20)]


class PricePublic(BaseModel):
    sku: str
    effective_from: datetime
    grades: dict[str, int]
