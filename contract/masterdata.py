"""Master data kept by co-op staff: farmers, sites, products and purchase prices."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from contract.fields import Command, Days, Decimals, Fen, Grade, Moment, Public, Temperature, Text, Visible

Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 -]{5,20}$"),
                  Field(examples=["13800000001"]), Visible]
Timezone = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_+/-]{1,64}$"), Visible]


class FarmerCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "张德明", "village": "永安村", "phone": "13800000001"}]})

    name: Text
    village: Text
    phone: Phone | None = None


class FarmerPublic(Public):
    farmer_id: str
    name: str
    village: str
    phone: str | None


class FarmerListed(Public):
    """A farmer as the intake screen picks one: by name, pinyin, initials or phone tail."""
    farmer_id: str
    name: str
    village: str
    phone_tail: str | None
    pinyin: str
    initials: str


SiteKind = Literal["cold_store", "input_shop", "outlet", "warehouse"]
ProductKind = Literal["produce", "input"]


class ProductListed(Public):
    sku: str
    name: str
    kind: ProductKind


class SiteListed(Public):
    site_id: str
    name: str
    kind: SiteKind


class SiteCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "永安村冷库（唐昌镇）", "kind": "cold_store", "timezone": "Asia/Shanghai"}]})

    name: Text
    kind: SiteKind
    timezone: Timezone | None = None


class SitePublic(Public):
    site_id: str
    name: str
    kind: SiteKind
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
    kind: ProductKind
    unit: Literal["kg", "bag", "bottle", "roll"]
    shelf_life_days: Days | None = None
    temp_min_c: Temperature | None = None
    temp_max_c: Temperature | None = None
    input_class: Literal["fertilizer", "pesticide", "film", "seed"] | None = None
    active_ingredient: Text | None = None
    registration_no: Text | None = None
    phi_days: Days | None = None


class ProductPublic(Public):
    sku: str
    name: str
    kind: ProductKind
    unit: str
    shelf_life_days: int | None = None
    temp_min_c: Decimals | None = None
    temp_max_c: Decimals | None = None
    input_class: str | None = None
    active_ingredient: str | None = None
    registration_no: str | None = None
    phi_days: int | None = None


class PriceCreate(Command):
    """A purchase price per grade in fen per kg, in force from ``effective_from``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"effective_from": "2026-11-02T00:00:00+08:00", "grades": {"A": 1200, "B": 800}}]})

    effective_from: Moment
    grades: Annotated[dict[Grade, Fen], Field(min_length=1, max_length=20)]


class PricePublic(Public):
    sku: str
    effective_from: datetime
    grades: dict[str, int]
