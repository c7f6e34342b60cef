"""Input supply at cost: purchases and transfers (admin; a shop for its own site), the input
stock per site and lot, who holds a lot (for a recall), and the 农药统供率 (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Admin, App, Caller, Id, Run, Views
from api.jsonio import Answer, ExactRoute
from contract.fields import Code, Moment, Text
from contract.problems import problems
from contract.supply import (
    InputLotPublic,
    LotHolderPublic,
    PesticideSupplyPublic,
    PurchaseCorrectionCreate,
    PurchaseCorrectionPublic,
    PurchaseCreate,
    PurchasePublic,
    TransferCreate,
    TransferPublic,
)
from infra.problems import InvalidField

router = APIRouter(prefix="/v1", tags=["input supply"], route_class=ExactRoute)


@router.post("/input-purchases", status_code=201, response_model=PurchasePublic,
             response_description="the purchase recorded",
             responses=problems(401, 403, 404, 409, 422))
def post_purchase(body: PurchaseCreate, caller: Caller, run: Run) -> Answer:
    """A shop or the warehouse receives inputs from a supplier (进货), in cash or owed.
    A shop's first purchase starts keeping its stock: from then on a sale draws from it."""
    caller.allow("shop", scope=body.site_id)
    return run(body)


@router.post("/input-purchases/{purchase_id}/correction", response_model=PurchaseCorrectionPublic,
             response_description="the purchase as corrected",
             responses=problems(401, 403, 404, 409, 422))
def post_purchase_correction(purchase_id: Id, body: PurchaseCorrectionCreate, app: App,
                             caller: Caller) -> Answer:
    """Correct a purchase's payment or unit costs, one per line in order: the books post a
    reversing (红字) voucher and a new one; the same correction again changes nothing."""
    caller.allow("shop", scope=body.site_id)
    return Answer(app.correct_purchase(purchase_id=purchase_id, **body.model_dump()))


@router.post("/input-transfers", status_code=201, response_model=TransferPublic,
             response_description="the transfer recorded",
             responses=problems(401, 403, 404, 409, 422))
def post_transfer(body: TransferCreate, caller: Caller, run: Run) -> Answer:
    """Lots move between the warehouse and the shops at the cost they carry; a shop may send
    from its own stock."""
    caller.allow("shop", scope=body.from_site_id)
    return run(body)


@router.get("/input-stock", response_model=list[InputLotPublic],
            response_description="per site, product and lot",
            responses=problems(401, 403, 422))
def get_input_stock(views: Views, caller: Caller, site_id: Annotated[Code | None, Query()] = None,
                    sku: Annotated[Code | None, Query()] = None,
                    lot: Annotated[Text | None, Query()] = None) -> Answer:
    """Quantity on hand of each lot and its cost, with what was bought, moved and sold (and
    the cost of goods sold). A shop sees its own site."""
    if caller.role == "shop":
        site_id = caller.allow("shop", scope=site_id or caller.scope).scope
    else:
        caller.allow()
    return Answer(views.supply.stock(site_id=site_id, sku=sku, lot=lot))


@router.get("/input-stock/holders", response_model=list[LotHolderPublic],
            response_description="the sites holding the lot",
            responses=problems(401, 403, 422))
def get_lot_holders(views: Views, _: Admin, sku: Annotated[Code, Query()],
                    lot: Annotated[Text, Query()]) -> Answer:
    """Which sites hold some of a lot now (a recall of the lot reaches their shelves)."""
    return Answer(views.supply.holders(sku, lot))


@router.get("/reports/pesticide-supply", response_model=PesticideSupplyPublic,
            response_description="the share, per area and overall",
            responses=problems(401, 403, 422))
def get_pesticide_supply(views: Views, _: Admin, from_: Annotated[Moment, Query(alias="from")],
                         to: Annotated[Moment, Query()]) -> Answer:
    """农药统供率: of the pesticide applications recorded in [from, to), the share whose lot
    a co-op shop sold; per area (the farmer's village) and overall."""
    if from_ >= to:
        raise InvalidField("the period ends before it begins: `from` is not before `to`",
                           field="from", message="is not before to")
    return Answer(views.supply.pesticide_supply(from_, to))
