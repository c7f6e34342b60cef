"""The six scan commands, validated and answered the same over HTTP and from Kafka.

A cold-store gateway may send a scan as ``POST`` or as a ``gongxiao.scans`` message
``{scan_id, kind, body}``; both go through ``parse`` (the pydantic model of that POST) and
``perform`` (its use case), so a scan is refused or answered exactly as its POST would be.
Grading and delivery name their batch or shipment in the URL; a scan body carries it as
``batch_code`` / ``shipment_id`` beside the POST's fields.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field

from domain.application import Gongxiao
from infra.application import StoredGongxiao
from infra.event_json import dumps, loads
from infra.fields import (
    Code,
    Command,
    Count,
    Fen,
    Grade,
    Happened,
    Kg,
    KgPositive,
    PackCount,
    Temperature,
    Text,
)
from infra.idempotency import SCANS, Replies, command_key, fingerprint
from infra.problems import Problem, problem_for

MAX_PACKS = 5000


def _examples(example: dict[str, Any]) -> ConfigDict:
    """An OpenAPI example from ``gongxiao demo``'s week (the model keeps ``extra="forbid"``)."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class BatchCreate(Command):
    """An intake scan: a farmer's harvest batch taken into a cold store."""

    model_config = _examples({
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

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.receive_batch(**self.model_dump())


class GradingCreate(Command):
    model_config = _examples({"graded_at": "2026-11-03T14:00:00+08:00",
                              "grades": {"A": 80, "B": 30}, "reject_kg": 6})
    graded_at: Happened
    grades: Annotated[dict[Grade, Kg], Field(min_length=1, max_length=20)]
    reject_kg: Kg

    route: ClassVar[str] = "POST /v1/batches/{batch_code}/grading"


class GradingScan(GradingCreate):
    batch_code: Code

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.grade_batch(**self.model_dump())


class PackingSource(Command):
    batch_code: Code
    kg: KgPositive


class PackingRunCreate(Command):
    model_config = _examples({"site_id": "yongan", "sku": "jiuhuang", "grade": "A",
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

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        run = app.run_packing(**self.model_dump(), key=key)
        return {"run_id": run["run_id"], "packs": [
            {"pack_code": c, "trace_url": f"{base_url}t/{c}"} for c in run["pack_codes"]]}


class ShipmentCreate(Command):
    model_config = _examples({"order_id": "6f1c2a4e-3b1d-5d7e-9f20-4c1b2a3d4e5f",
                              "pack_codes": ["3W7KQ9ZD-0001", "3W7KQ9ZD-0002"],
                              "departed_at": "2026-11-06T05:00:00+08:00", "vehicle": "川A·冷001"})
    order_id: Code
    pack_codes: Annotated[list[Code], Field(min_length=1, max_length=MAX_PACKS)]
    departed_at: Happened
    vehicle: Text | None = None

    route: ClassVar[str] = "POST /v1/shipments"

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.ship(**self.model_dump(), key=key)


class DeliveryCreate(Command):
    model_config = _examples({"received_at": "2026-11-06T08:00:00+08:00",
                              "pack_codes": ["3W7KQ9ZD-0001", "3W7KQ9ZD-0002"]})
    received_at: Happened
    pack_codes: Annotated[list[Code], Field(max_length=MAX_PACKS)]

    route: ClassVar[str] = "POST /v1/shipments/{shipment_id}/delivery"


class DeliveryScan(DeliveryCreate):
    shipment_id: Code

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.confirm_delivery(**self.model_dump())


class SaleCreate(Command):
    model_config = _examples({"outlet_id": "outlet-jinniu", "pack_code": "3W7KQ9ZD-0001",
                              "sold_at": "2026-11-06T10:12:00+08:00", "price_fen": 1680})
    outlet_id: Code
    pack_code: Code
    sold_at: Happened
    price_fen: Fen

    route: ClassVar[str] = "POST /v1/sales"

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.sell_pack(**self.model_dump())


KINDS: dict[str, type[Command]] = {
    "intake": BatchCreate, "grading": GradingScan, "packing": PackingRunCreate,
    "shipment": ShipmentCreate, "delivery": DeliveryScan, "sale": SaleCreate}


def parse(kind: str, body: Any) -> Command:
    """The validated command of a scan body; pydantic's ValidationError if it is not one."""
    model = KINDS.get(kind)
    if model is None:
        raise Problem(422, f"scan kind must be one of {', '.join(KINDS)}, not {kind!r}",
                      slug="validation", errors=[{"field": "kind", "message": "unknown scan kind"}])
    return model.model_validate(body)


def perform(app: StoredGongxiao, command: Command, *, caller: str, key: str | None,
            replies: Replies | None = None, base_url: str = "/") -> tuple[int, dict[str, Any], bool]:
    """Run a validated command once per caller and key; answers (status, body, replayed).
    Refusals raise (DomainError, Problem) for the caller to map."""
    def run() -> dict[str, Any]:
        return command.perform(app, command_key(caller, key), base_url)

    if replies is None:
        return command.status, loads(dumps(app.atomically(run)[0])), False
    reply = replies.once(app, caller=caller, key=key, status=command.status, run=run,
                         fingerprint=fingerprint(command.route, command.fields()))
    return reply.status, reply.body, reply.replayed


def execute(app: StoredGongxiao, kind: str, body: Any, key: str | None, *, caller: str = SCANS,
            replies: Replies | None = None, base_url: str = "/") -> tuple[int, dict[str, Any]]:
    """Validate and run one scan (from Kafka: the caller ``SCANS``, whose keys are no
    token's); never raises for bad input: a refusal answers (status, problem+json dict),
    exactly what the POST would have answered."""
    try:
        status, answer, _ = perform(app, parse(kind, body), caller=caller, key=key,
                                    replies=replies, base_url=base_url)
        return status, answer
    except Exception as refused:
        return problem_for(refused)
