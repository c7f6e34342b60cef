"""Cold-room temperature readings and packing runs (operator of the site, admin)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Caller, Run
from api.jsonio import Answer, ExactRoute
from contract.coldstore import (
    PackingRunCreate,
    PackingRunPublic,
    TemperatureReadingsCreate,
    TemperatureReadingsPublic,
)
from contract.problems import problems

router = APIRouter(prefix="/v1", tags=["cold store"], route_class=ExactRoute)


@router.post("/temperature-readings", status_code=201,
             response_model=TemperatureReadingsPublic,
             response_description="readings logged; each excursion names the products it concerns",
             responses=problems(401, 403, 404, 422))
def post_temperature_readings(body: TemperatureReadingsCreate, caller: Caller, run: Run) -> Answer:
    caller.allow("operator", scope=body.site_id)
    return run(body)


@router.post("/packing-runs", status_code=201, response_model=PackingRunPublic,
             response_description="the packs made, with their trace URLs",
             responses=problems(401, 403, 404, 409, 422))
def post_packing_run(body: PackingRunCreate, caller: Caller, run: Run) -> Answer:
    """Pack graded kg into coded packs: FEFO, or from the named batches; 409 when short."""
    caller.allow("operator", scope=body.site_id)
    return run(body)
