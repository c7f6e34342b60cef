"""Farm inputs: shop sales (shop, admin) and the spray diary (the farmer, shops, admin)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Caller, Run
from api.jsonio import Answer, ExactRoute
from contract.fields import Text
from contract.inputs import (
    InputApplicationCreate,
    InputApplicationPublic,
    InputSaleCorrection,
    InputSaleCorrectionCreate,
    InputSaleCorrectionPublic,
    InputSaleCreate,
    InputSalePublic,
)
from contract.problems import problems

router = APIRouter(prefix="/v1", tags=["inputs"], route_class=ExactRoute)


@router.post("/input-sales", status_code=201, response_model=InputSalePublic,
             response_description="the sale recorded",
             responses=problems(401, 403, 404, 409, 422))
def post_input_sale(body: InputSaleCreate, caller: Caller, run: Run) -> Answer:
    """A shop sells registered inputs to a farmer, cash or on credit (赊销)."""
    caller.allow("shop", scope=body.shop_id)
    return run(body)


@router.post("/input-sales/{sale_id}/correction", response_model=InputSaleCorrectionPublic,
             response_description="the sale as corrected",
             responses=problems(401, 403, 404, 409, 422))
def post_input_sale_correction(sale_id: Text, body: InputSaleCorrectionCreate, caller: Caller,
                               run: Run) -> Answer:
    """Correct a sale's quantity or unit price, one per line in order: the books post a
    reversing (红字) voucher and a new one, the lots give back what the sale drew and draw the
    corrected quantity (more than the shop holds: 409). The same Idempotency-Key again
    records nothing; a correction changing nothing records nothing."""
    caller.allow("shop", scope=body.shop_id)
    return run(InputSaleCorrection(sale_id=sale_id, **body.model_dump()))


@router.post("/input-applications", status_code=201, response_model=InputApplicationPublic,
             response_description="the application recorded",
             responses=problems(401, 403, 404, 422))
def post_input_application(body: InputApplicationCreate, caller: Caller, run: Run) -> Answer:
    """A spray-diary line: which input, which lot, when, on which crop."""
    if caller.role == "farmer":
        caller.allow("farmer", scope=body.farmer_id)
    else:
        caller.allow("shop")
    return run(body)
