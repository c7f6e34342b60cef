"""Outlets: orders that reserve packs, shipments, deliveries and retail sales."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import ConfigDict, Field

from contract.fields import (
    MAX_PACKS,
    Code,
    Command,
    Count,
    Fen,
    Grade,
    Happened,
    KgPositive,
    Moment,
    Public,
    Text,
    Weight,
    examples,
)


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
    site_id: Code | None = Field(None, description="the cold store the order is picked at; "
                                 "without it, every cold store holding the product and grade")


class OrderCancelCreate(Command):
    reason: Text = "cancelled by outlet"


class OrderCancel(OrderCancelCreate):
    route = "POST /v1/orders/{order_id}/cancel"
    status: ClassVar[int] = 200
    order_id: Code


class ShipmentCreate(Command):
    model_config = examples({"order_id": "6f1c2a4e-3b1d-5d7e-9f20-4c1b2a3d4e5f",
                              "pack_codes": ["3W7KQ9ZD-0001", "3W7KQ9ZD-0002"],
                              "departed_at": "2026-11-06T05:00:00+08:00", "vehicle": "川A·冷001"})
    order_id: Code
    pack_codes: Annotated[list[Code], Field(min_length=1, max_length=MAX_PACKS)]
    departed_at: Happened
    vehicle: Text | None = None

    route: ClassVar[str] = "POST /v1/shipments"


class DeliveryCreate(Command):
    model_config = examples({"received_at": "2026-11-06T08:00:00+08:00",
                              "pack_codes": ["3W7KQ9ZD-0001", "3W7KQ9ZD-0002"]})
    received_at: Happened
    pack_codes: Annotated[list[Code], Field(max_length=MAX_PACKS)]

    route: ClassVar[str] = "POST /v1/shipments/{shipment_id}/delivery"


class DeliveryScan(DeliveryCreate):
    shipment_id: Code


class SaleCreate(Command):
    model_config = examples({"outlet_id": "outlet-jinniu", "pack_code": "3W7KQ9ZD-0001",
                              "sold_at": "2026-11-06T10:12:00+08:00", "price_fen": 1680})
    outlet_id: Code
    pack_code: Code
    sold_at: Happened
    price_fen: Fen

    route: ClassVar[str] = "POST /v1/sales"


class OrderLineSummary(Public):
    sku: str
    grade: str
    pack_kg: Weight
    packs: int


class OrderLinePublic(OrderLineSummary):
    reserved_pack_codes: list[str]


class OrderRecallNote(Public):
    """Recalled packs this order held, released, and how many clean ones took their place."""

    recall_id: str
    at: datetime
    released: list[str]
    replaced: int


class OrderPublic(Public):
    order_id: str
    order_code: str
    pick_list: list[str]
    outlet_id: str
    status: str
    placed_at: datetime
    wanted_by: datetime | None
    lines: list[OrderLinePublic]
    shipment_ids: list[str]
    recalls: list[OrderRecallNote]


class OrderSummaryPublic(Public):
    """An order in a list: its lines without the reserved pack codes, which only the order
    itself answers (``GET /v1/orders/{order_id}``)."""

    order_id: str
    order_code: str
    outlet_id: str
    status: str
    placed_at: datetime
    wanted_by: datetime | None
    cancelled_at: datetime | None
    lines: list[OrderLineSummary]
    packs_ordered: int
    packs_shipped: int
    shipment_ids: list[str]


class CarriedCertificate(Public):
    batch_code: str
    issued_at: datetime
    shipment_id: str | None = Field(description="the dispatch that issued it (the first to "
                                                "ship the batch's packs); none if issued at "
                                                "packing, before certificates moved to dispatch")


class ShipmentPublic(Public):
    shipment_id: str
    certificates: list[CarriedCertificate] = Field(
        default_factory=list, description="the 承诺达标合格证 of each batch the shipment carries")


class RefusedPack(Public):
    pack_code: str
    recall_id: str


class DeliveryPublic(Public):
    shipment_id: str
    received: list[str]
    missing: list[str]
    unexpected: list[str]
    refused: list[RefusedPack] = Field(
        default_factory=list, description="recalled packs set aside, not shelved: each counts "
                                          "as pulled here in its recall")


class SalePublic(Public):
    outlet_id: str
    pack_code: str
    sold_at: datetime
    price_fen: int
