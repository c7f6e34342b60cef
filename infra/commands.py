"""The six scan commands, validated and answered the same over HTTP and from Kafka.

A cold-store gateway may send a scan as ``POST`` or as a ``gongxiao.scans`` message
``{scan_id, kind, body}``; both go through ``parse`` (the pydantic model of that POST) and
``perform`` (its use case), so a scan is refused or answered exactly as its POST would be.
Grading and delivery name their batch or shipment in the URL; a scan body carries it as
``batch_code`` / ``shipment_id`` beside the POST's fields.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from domain.application import Gongxiao
from infra.event_json import dumps, loads
from infra.fields import Code, Command, Count, Fen, Grade, Kg, KgPositive, Moment, Temperature, Text
from infra.idempotency import Replies, fingerprint
from infra.problems import Problem, problem_for

MAX_PACKS = 5000


class BatchCreate(Command):
    """An intake scan: a farmer's harvest batch taken into a cold store."""

    batch_code: Code
    site_id: Code
    farmer_id: Code
    sku: Code
    harvested_at: Moment
    net_kg: KgPositive
    crates: Count | None = None
    temperature_c: Temperature | None = None
    scanned_at: Moment

    route: ClassVar[str] = "POST /v1/batches"

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.receive_batch(**self.model_dump())


class GradingCreate(Command):
    graded_at: Moment
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
    site_id: Code
    sku: Code
    grade: Grade
    pack_kg: KgPositive
    count: Count
    packed_at: Moment
    sources: Annotated[list[PackingSource], Field(min_length=1, max_length=100)] | None = None

    route: ClassVar[str] = "POST /v1/packing-runs"

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        run = app.run_packing(**self.model_dump(), key=key)
        return {"run_id": run["run_id"], "packs": [
            {"pack_code": c, "trace_url": f"{base_url}t/{c}"} for c in run["pack_codes"]]}


class ShipmentCreate(Command):
    order_id: Code
    pack_codes: Annotated[list[Code], Field(min_length=1, max_length=MAX_PACKS)]
    departed_at: Moment
    vehicle: Text | None = None

    route: ClassVar[str] = "POST /v1/shipments"

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.ship(**self.model_dump(), key=key)


class DeliveryCreate(Command):
    received_at: Moment
    pack_codes: Annotated[list[Code], Field(max_length=MAX_PACKS)]

    route: ClassVar[str] = "POST /v1/shipments/{shipment_id}/delivery"


class DeliveryScan(DeliveryCreate):
    shipment_id: Code

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.confirm_delivery(**self.model_dump())


class SaleCreate(Command):
    outlet_id: Code
    pack_code: Code
    sold_at: Moment
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


def perform(app: Gongxiao, command: Command, *, key: str | None, replies: Replies | None = None,
            base_url: str = "/") -> tuple[int, dict[str, Any], bool]:
    """Run a validated command once per key; answers (status, body, replayed).
    Refusals raise (DomainError, Problem) for the caller to map."""
    def run() -> tuple[int, dict[str, Any]]:
        return command.status, command.perform(app, key, base_url)

    if replies is None:
        status, body = run()
        return status, loads(dumps(body)), False
    reply = replies.once(key=key, fingerprint=fingerprint(command.route, command.fields()),
                         run=run)
    return reply.status, reply.body, reply.replayed


def execute(app: Gongxiao, kind: str, body: Any, key: str | None, *,
            replies: Replies | None = None, base_url: str = "/") -> tuple[int, dict[str, Any]]:
    """Validate and run one scan; never raises for bad input: a refusal answers
    (status, problem+json dict), exactly what the POST would have answered."""
    try:
        status, answer, _ = perform(app, parse(kind, body), key=key, replies=replies,
                                    base_url=base_url)
        return status, answer
    except Exception as refused:
        return problem_for(refused)
