"""Outlets: orders that reserve packs, shipments, deliveries and retail sales."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from domain.application import Gongxiao
from infra.commands import DeliveryCreate, DeliveryScan, SaleCreate, ShipmentCreate
from infra.fields import Code, Command, Count, Grade, KgPositive, Moment, Text

__all__ = ["DeliveryCreate", "DeliveryScan", "SaleCreate", "ShipmentCreate"]


class OrderLine(Command):
    sku: Code
    grade: Grade
    pack_kg: KgPositive
    packs: Count


class OrderCreate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"outlet_id": "outlet-jinniu", "lines": [
            {"sku": "jiuhuang", "grade": "A", "pack_kg": 0.5, "packs": 40},
            {"sku": "woshun", "grade": "A", "pack_kg": 2, "packs": 20}],
         "wanted_by": "2026-11-06T07:00:00+08:00"}]})
    route = "POST /v1/orders"

    outlet_id: Code
    lines: Annotated[list[OrderLine], Field(min_length=1, max_length=50)]
    wanted_by: Moment | None = None

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.place_order(**self.model_dump(), key=key)


class OrderCancelCreate(Command):
    reason: Text = "cancelled by outlet"


class OrderCancel(OrderCancelCreate):
    route = "POST /v1/orders/{order_id}/cancel"
    status: ClassVar[int] = 200
    order_id: Code

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        return app.cancel_order(order_id=self.order_id, reason=self.reason)


class OrderLineSummary(BaseModel):
    sku: str
    grade: str
    pack_kg: float
    packs: int


class OrderLinePublic(OrderLineSummary):
    reserved_pack_codes: list[str]


class OrderRecallNote(BaseModel):
    """Recalled packs this order held, released, and how many clean ones took their place."""

    recall_id: str
    at: datetime
    released: list[str]
    replaced: int


class OrderPublic(BaseModel):
    order_id: str
    outlet_id: str
    status: str
    placed_at: datetime
    wanted_by: datetime | None
    lines: list[OrderLinePublic]
    shipment_ids: list[str]
    recalls: list[OrderRecallNote] = []


class OrderSummaryPublic(BaseModel):
    """An order in a list: its lines without the reserved pack codes, which only the order
    itself answers (``GET /v1/orders/{order_id}``)."""

    order_id: str
    outlet_id: str
    status: str
    placed_at: datetime
    wanted_by: datetime | None
    cancelled_at: datetime | None
    lines: list[OrderLineSummary]
    packs_ordered: int
    packs_shipped: int
    shipment_ids: list[str]


class ShipmentPublic(BaseModel):
    shipment_id: str


class DeliveryPublic(BaseModel):
    shipment_id: str
    received: list[str]
    missing: list[str]
    unexpected: list[str]


class SalePublic(BaseModel):
    outlet_id: str
    pack_code: str
    sold_at: datetime
    price_fen: int
