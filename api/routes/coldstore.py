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
from contract.problems import answers

router = APIRouter(prefix="/v1", tags=["cold store"], route_class=ExactRoute)


@router.post("/temperature-readings", status_code=201, response_model=None,
             responses=answers(201, TemperatureReadingsPublic,
                               "readings logged; each excursion names the products it concerns",
                               401, 403, 404, 422))
def post_temperature_readings(body: TemperatureReadingsCreate, caller: Caller, run: Run) -> Answer:
    caller.allow("operator", scope=body.site_id)
    return run(body)


@router.post("/packing-runs", status_code=201, response_model=None,
             responses=answers(201, PackingRunPublic, "the packs made, with their trace URLs",
                               401, 403, 404, 409, 422))
def post_packing_run(body: PackingRunCreate, caller: Caller, run: Run) -> Answer:
    """Pack graded kg into coded packs: FEFO, or from the named batches; 409 when short."""
    caller.allow("operator", scope=body.site_id)
    return run(body)
