"""The cold store: intake, grading, holds, cold-room readings and packing runs.

The scan bodies (intake, grading, packing) are the same for a POST and a Kafka scan; a scan
names in its body what the POST names in the URL (``GradingScan.batch_code``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field

from contract.fields import (
    Code,
    Command,
    Count,
    Grade,
    Happened,
    Kg,
    KgPositive,
    PackCount,
    Public,
    Temperature,
    Text,
    Weight,
    examples,
)


class BatchCreate(Command):
    """An intake scan: a farmer's harvest batch taken into a cold store."""

    model_config = examples({
        "batch_code": "YA20261102-001", "site_id": "yongan", "farmer_id": "f-zhang",
        "sku": "jiuhuang", "harvested_at": "2026-11-03T06:00:00+08:00", "net_kg": 120.5,
        "crates": 13, "temperature_c": 3.5, "scanned_at": "2026-11-03T09:01:00+08:00"})
    batch_code: Code
    site_id: Code
    farmer_id: Code
    sku: Code
    harvested_at: Happened
    net_kg: KgPositive
    crates: Count | None = None
    temperature_c: Temperature | None = None
    scanned_at: Happened

    route: ClassVar[str] = "POST /v1/batches"


class GradingCreate(Command):
    model_config = examples({"graded_at": "2026-11-03T14:00:00+08:00",
                              "grades": {"A": 80, "B": 30}, "reject_kg": 6})
    graded_at: Happened
    grades: Annotated[dict[Grade, Kg], Field(min_length=1, max_length=20)]
    reject_kg: Kg

    route: ClassVar[str] = "POST /v1/batches/{batch_code}/grading"


class GradingScan(GradingCreate):
    batch_code: Code


class PackingSource(Command):
    batch_code: Code
    kg: KgPositive


class PackingRunCreate(Command):
    model_config = examples({"site_id": "yongan", "sku": "jiuhuang", "grade": "A",
                              "pack_kg": 0.5, "count": 120, "packed_at": "2026-11-04T16:00:00+08:00"})
    site_id: Code
    sku: Code
    grade: Grade
    pack_kg: KgPositive
    count: PackCount
    packed_at: Happened
    sources: Annotated[list[PackingSource], Field(min_length=1, max_length=100)] | None = None
    mixed: bool = Field(False, description="the batches are mixed on the line, so every pack "
                        "traces to every batch drawn; otherwise they are taken one after the other")

    route: ClassVar[str] = "POST /v1/packing-runs"


class HoldChange(Command):
    """Release a batch from hold, or destroy it: staff say why."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "复检合格：吡虫啉残留未检出（检测报告 2026-118）"}]})

    reason: Text


class Release(HoldChange):
    route = "POST /v1/batches/{batch_code}/release"
    status: ClassVar[int] = 200
    batch_code: Code


class Destroy(HoldChange):
    route = "POST /v1/batches/{batch_code}/destroy"
    status: ClassVar[int] = 200
    batch_code: Code


class CorrectionCreate(Command):
    """A wrong intake weight corrected: the right net kg and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"net_kg": 42.5, "reason": "磅秤读数录错：42.5 公斤，不是 425 公斤"}]})

    net_kg: KgPositive
    reason: Text


class Correction(CorrectionCreate):
    route = "POST /v1/batches/{batch_code}/correction"
    status: ClassVar[int] = 200
    batch_code: Code


class Reading(Command):
    at: Happened
    celsius: Temperature


class TemperatureReadingsCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"site_id": "yongan", "room": "冷藏1号", "readings": [
            {"at": "2026-11-05T14:00:00+08:00", "celsius": 7.8}]}]})
    route = "POST /v1/temperature-readings"

    site_id: Code
    room: Text
    readings: Annotated[list[Reading], Field(min_length=1, max_length=2000)]


class Hold(Public):
    reason: str
    detail: str


class BatchPublic(Public):
    batch_code: str
    status: str
    holds: list[Hold]


class CorrectionPublic(Public):
    batch_code: str
    status: str
    holds: list[Hold]
    net_kg: Weight


class BatchEvent(Public):
    event: str
    at: datetime


class BatchDetailPublic(Public):
    batch_code: str
    site_id: str
    farmer_id: str
    sku: str
    harvested_at: datetime
    net_kg: Weight
    expires_at: datetime | None
    status: str
    holds: list[Hold]
    graded_kg_remaining: dict[str, Weight]
    history: list[BatchEvent]


class GradingPublic(Public):
    batch_code: str
    graded_at: datetime
    grades_kg: dict[str, Weight]
    reject_kg: Weight
    shrinkage_kg: Weight
    price_fen_per_kg: dict[str, int]
    earned_fen: dict[str, int]
    earned_total_fen: int


class PackPublic(Public):
    pack_code: str
    trace_url: str


class PackingRunPublic(Public):
    run_id: str
    packs: list[PackPublic]


class TemperatureReadingsPublic(Public):
    accepted: int
    excursions: list[dict[str, Any]]
