"""Shipments: packs scanned onto a truck (operator, admin), confirmed at the outlet (outlet)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.access import order_id_of, pack_sites
from api.deps import App, Caller, Run, Views
from api.jsonio import Answer, ExactRoute
from contract.orders import DeliveryCreate, DeliveryPublic, DeliveryScan, ShipmentCreate, ShipmentPublic
from contract.problems import problems

router = APIRouter(prefix="/v1/shipments", tags=["outlets"], route_class=ExactRoute)
ShipmentId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.post("", status_code=201, response_model=ShipmentPublic,
             response_description="departed",
             responses=problems(401, 403, 404, 409, 422))
def post_shipment(body: ShipmentCreate, app: App, views: Views, caller: Caller,
                  run: Run) -> Answer:
    """Packs leave the cold store for an order (its id or short code); a pack not reserved to
    it is refused (409)."""
    body = body.model_copy(update={"order_id": order_id_of(views, body.order_id)})
    if caller.role != "admin":
        caller.allow("operator")
        for site in pack_sites(app, order_id=body.order_id, pack_codes=body.pack_codes):
            caller.allow("operator", scope=site)
    return run(body)


@router.post("/{shipment_id}/delivery", status_code=201, response_model=DeliveryPublic,
             response_description="what arrived, what is missing, what was "
                               "not on the shipment",
             responses=problems(401, 403, 404, 409, 422))
def post_delivery(shipment_id: ShipmentId, body: DeliveryCreate, app: App, caller: Caller,
                  run: Run) -> Answer:
    """The outlet scans what arrived; discrepancies are recorded, never silently fixed."""
    caller.allow("outlet", scope=app.shipment(shipment_id).outlet_id)
    return run(DeliveryScan(shipment_id=shipment_id, **body.model_dump()))
