"""The cold store: intake, grading, holds, cold-room readings and packing runs.

The scan bodies (intake, grading, packing) are ``infra.commands`` models, shared with the
Kafka scan worker; the commands only staff send are here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from domain.application import Gongxiao
from infra.commands import BatchCreate, GradingCreate, GradingScan, PackingRunCreate
from infra.fields import Code, Command, Happened, KgPositive, Temperature, Text

__all__ = ["BatchCreate", "GradingCreate", "GradingScan", "PackingRunCreate"]


class HoldChange(Command):
    """Release a batch from hold, or destroy it: staff say why."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "复检合格：吡虫啉残留未检出（检测报告 2026-118）"}]})

    reason: Text


class Release(HoldChange):
    route = "POST /v1/batches/{batch_code}/release"
    status: ClassVar[int] = 200
    batch_code: Code

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.release_batch(batch_code=self.batch_code, reason=self.reason, at=app.now())


class Destroy(HoldChange):
    route = "POST /v1/batches/{batch_code}/destroy"
    status: ClassVar[int] = 200
    batch_code: Code

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.destroy_batch(batch_code=self.batch_code, reason=self.reason, at=app.now())


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

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.correct_intake(batch_code=self.batch_code, net_kg=self.net_kg,
                                  reason=self.reason, at=app.now())


class CorrectionPublic(BaseModel):
    batch_code: str
    status: str
    holds: list[dict[str, str]]
    net_kg: float


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

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.log_temperatures(**self.model_dump())


class Hold(BaseModel):
    reason: str
    detail: str


class BatchPublic(BaseModel):
    batch_code: str
    status: str
    holds: list[Hold]


class GradingPublic(BaseModel):
    batch_code: str
    graded_at: datetime
    grades_kg: dict[str, float]
    reject_kg: float
    shrinkage_kg: float
    price_fen_per_kg: dict[str, int]
    earned_fen: dict[str, int]
    earned_total_fen: int


class PackPublic(BaseModel):
    pack_code: str
    trace_url: str


class PackingRunPublic(BaseModel):
    run_id: str
    packs: list[PackPublic]


class TemperatureReadingsPublic(BaseModel):
    accepted: int
    excursions: list[dict[str, Any]]
