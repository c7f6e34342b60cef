"""Retail sales at an outlet (the outlet, admin)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Caller, Run
from api.jsonio import Answer, ExactRoute
from contract.orders import SaleCreate, SalePublic
from contract.problems import problems

router = APIRouter(prefix="/v1/sales", tags=["outlets"], route_class=ExactRoute)


@router.post("", status_code=201, response_model=SalePublic,
             response_description="sold",
             responses=problems(401, 403, 404, 409, 422))
def post_sale(body: SaleCreate, caller: Caller, run: Run) -> Answer:
    """Sell a pack on this outlet's shelf; not there, already sold or expired → 409."""
    caller.allow("outlet", scope=body.outlet_id)
    return run(body)
