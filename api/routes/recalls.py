"""Recalls: opened, widened and closed by staff; scanned off shelves by outlets and into
quarantine by cold stores; open ones listed for every screen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse

from api.deps import Admin, App, Caller, Run, Views
from api.jsonio import Answer, ExactRoute
from api.pages.i18n import environment, locale_of
from api.pages.trace import local
from contract.fields import Code
from contract.problems import problems
from contract.recalls import (
    Close,
    CloseCreate,
    Disposal,
    DisposalCreate,
    OpenRecallPublic,
    Pull,
    PullCreate,
    Quarantine,
    QuarantineCreate,
    RecallCreate,
    RecallPublic,
    RecallWiden,
    RecallWidenCreate,
    ScanPublic,
)

router = APIRouter(prefix="/v1/recalls", tags=["recalls"], route_class=ExactRoute)
COLUMNS = ("affected", "located", "pulled", "quarantined", "sold", "destroyed", "returned",
           "outstanding")
RecallId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.post("", status_code=201, response_model=RecallPublic,
             response_description="opened: its packs are blocked (unless a "
                               "drill) and located",
             responses=problems(401, 403, 409, 422))
def post_recall(body: RecallCreate, views: Views, _: Admin, run: Run) -> Answer:
    """Open a recall of what the trace finds for the scope now; 409 when it finds nothing."""
    return run(body.with_lineage(views.trace.lineage(body.scope.named())))


@router.get("", response_model=list[OpenRecallPublic],
            response_description="open recalls, newest first",
            responses=problems(401, 403, 422))
def list_recalls(views: Views, caller: Caller,
                 place: Annotated[Code | None, Query()] = None) -> Answer:
    """Open recalls; an outlet or a cold store sees those with packs at its place, each with
    the packs it still has to pull or quarantine."""
    if caller.role in ("outlet", "operator"):
        place = caller.allow(caller.role, scope=place or caller.scope).scope
    else:
        caller.allow()
    return Answer(views.trace.open_recalls(place))


@router.get("/{recall_id}", response_model=RecallPublic,
            response_description="the recall now: each pack's fate and the "
                              "progress per place; also its closing report",
            responses=problems(401, 403, 404, 422))
def get_recall(recall_id: RecallId, app: App, _: Admin) -> Answer:
    return Answer(app.recall_answer(app.recall(recall_id)))


@router.get("/{recall_id}/report", response_model=None, responses={
    200: {"content": {"text/html": {}}, "description": "the closing report as a printable page"},
    **problems(401, 403, 404, 422)})
def get_report(recall_id: RecallId, app: App, _: Admin, lang: str | None = None) -> HTMLResponse:
    """The recall now as a page to print: progress per place, the times to 100 %, the packs
    sold before it (for the public notice) and each pack's fate."""
    report = app.recall_answer(app.recall(recall_id))
    html = environment(locale_of(lang)).get_template("recall_report.html").render(
        r=report, columns=COLUMNS, when=local, lang=lang)
    return HTMLResponse(html, headers={"Cache-Control": "private, no-store"})


@router.post("/{recall_id}/widen", response_model=RecallPublic,
             response_description="widened by what the scope reaches now",
             responses=problems(401, 403, 404, 409, 422))
def post_widen(recall_id: RecallId, body: RecallWidenCreate, views: Views, _: Admin,
               run: Run) -> Answer:
    lineage = views.trace.lineage(body.scope.named())
    return run(RecallWiden(recall_id=recall_id, **body.model_dump()).with_lineage(lineage))


@router.post("/{recall_id}/pulls", status_code=201, response_model=ScanPublic,
             response_description="pulled off the shelf",
             responses=problems(401, 403, 404, 409, 422))
def post_pull(recall_id: RecallId, body: PullCreate, caller: Caller, run: Run) -> Answer:
    """The outlet scans an affected pack off its shelf; the same scan again answers again."""
    caller.allow("outlet", scope=body.outlet_id)
    return run(Pull(recall_id=recall_id, **body.model_dump()))


@router.post("/{recall_id}/quarantines", status_code=201, response_model=ScanPublic,
             response_description="quarantined",
             responses=problems(401, 403, 404, 409, 422))
def post_quarantine(recall_id: RecallId, body: QuarantineCreate, caller: Caller,
                    run: Run) -> Answer:
    caller.allow("operator", scope=body.site_id)
    return run(Quarantine(recall_id=recall_id, **body.model_dump()))


@router.post("/{recall_id}/disposals", status_code=201, response_model=ScanPublic,
             response_description="destroyed or returned",
             responses=problems(401, 403, 404, 409, 422))
def post_disposal(recall_id: RecallId, body: DisposalCreate, _: Admin, run: Run) -> Answer:
    return run(Disposal(recall_id=recall_id, **body.model_dump()))


@router.post("/{recall_id}/close", response_model=RecallPublic,
             response_description="closed; the answer is the closing report",
             responses=problems(401, 403, 404, 409, 422))
def post_close(recall_id: RecallId, _: Admin, run: Run, body: CloseCreate | None = None) -> Answer:
    """Closing needs every pack accounted for, or a reason: 409 says how many are not."""
    return run(Close(recall_id=recall_id, reason=body.reason if body else None))
