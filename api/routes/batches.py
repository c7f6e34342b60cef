"""Harvest batches in the cold store: intake scan, grading, holds (operator of the site, admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import Admin, App, Caller, Run
from api.jsonio import Answer, ExactRoute
from contract.coldstore import (
    BatchCreate,
    BatchDetailPublic,
    BatchPublic,
    Correction,
    CorrectionCreate,
    CorrectionPublic,
    Destroy,
    GradingCreate,
    GradingPublic,
    GradingScan,
    HoldChange,
    Release,
)
from contract.problems import problems

router = APIRouter(prefix="/v1/batches", tags=["cold store"], route_class=ExactRoute)
BatchCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", examples=["YA20261102-001"])]


@router.post("", status_code=201, response_model=BatchPublic,
             response_description="taken in: in storage, or on hold and why",
             responses=problems(401, 403, 404, 409, 422))
def post_batch(body: BatchCreate, caller: Caller, run: Run) -> Answer:
    """The intake scan. A harvest inside a pesticide's pre-harvest interval goes on hold."""
    caller.allow("operator", scope=body.site_id)
    return run(body)


@router.get("/{batch_code}", response_model=BatchDetailPublic,
            response_description="status, holds, graded kg left per grade, history",
            responses=problems(401, 403, 404, 422))
def get_batch(batch_code: BatchCode, app: App, caller: Caller) -> Answer:
    caller.allow("operator", scope=app.batch(batch_code).site_id)
    return Answer(app.describe_batch(batch_code))


@router.post("/{batch_code}/grading", status_code=201, response_model=GradingPublic,
             response_description="graded; what the farmer earned",
             responses=problems(401, 403, 404, 409, 422))
def post_grading(batch_code: BatchCode, body: GradingCreate, app: App, caller: Caller,
                 run: Run) -> Answer:
    """Sort a batch into grades and reject, once; graded + reject never exceeds the intake."""
    caller.allow("operator", scope=app.batch(batch_code).site_id)
    return run(GradingScan(batch_code=batch_code, **body.model_dump()))


@router.post("/{batch_code}/correction", response_model=CorrectionPublic,
             response_description="corrected (or already so)",
             responses=problems(401, 403, 404, 409, 422))
def post_correction(batch_code: BatchCode, body: CorrectionCreate, app: App, caller: Caller,
                    run: Run) -> Answer:
    """Correct a wrong intake weight, with the reason: a new event, the intake stays as it was.
    Grading weighs against the corrected kg; a graded batch cannot go below its grades."""
    caller.allow("operator", scope=app.batch(batch_code).site_id)
    return run(Correction(batch_code=batch_code, **body.model_dump()))


@router.post("/{batch_code}/release", response_model=BatchPublic,
             response_description="released",
             responses=problems(401, 403, 404, 409, 422))
def post_release(batch_code: BatchCode, body: HoldChange, _: Admin, run: Run) -> Answer:
    """Release a batch from hold, with the reason (e.g. a residue test passed)."""
    return run(Release(batch_code=batch_code, reason=body.reason))


@router.post("/{batch_code}/destroy", response_model=BatchPublic,
             response_description="destroyed",
             responses=problems(401, 403, 404, 409, 422))
def post_destroy(batch_code: BatchCode, body: HoldChange, _: Admin, run: Run) -> Answer:
    """Destroy a batch that may not be sold, with the reason."""
    return run(Destroy(batch_code=batch_code, reason=body.reason))
