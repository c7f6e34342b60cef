"""Traceability: the buyer's public trace of a pack or batch, and the staff's recall."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from api.deps import Admin, Views
from api.jsonio import Answer, ExactRoute
from contract.fields import Code, Text
from contract.problems import problems
from contract.reads import ReachPublic, TracePublic
from domain.errors import NotFound
from infra.event_json import dumps
from infra.problems import InvalidField
from infra.settings import Settings
from infra.views import identifiers

router = APIRouter(prefix="/v1", tags=["read models"], route_class=ExactRoute)
CACHE = "public, max-age=60, stale-while-revalidate=300"


@router.get("/trace/{code}", response_model=TracePublic,
            response_description="where it came from",
            responses={**problems(404, 422),
                       304: {"description": "unchanged since the ETag sent in If-None-Match"}})
def get_trace(request: Request, code: Annotated[str, Path(
                  pattern=r"^[A-Za-z0-9_-]{1,64}$", examples=["YA20261102-001"])], views: Views,
              if_none_match: Annotated[str | None, Header(max_length=1000)] = None) -> Response:
    """Public, no token: the farmer (masked), inputs applied, intake and cold chain."""
    found = views.trace.trace(code)
    if found is None:
        raise NotFound(f"no pack or batch {code}; check the code on the label", code=code)
    found = {**found, "partner_events": views.epcis.partner_events(
        [epcis_uri(request.app.state.settings, found)])}
    text = dumps(found)
    etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE}
    sent = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",")}
    if etag in sent or "*" in sent:
        return Response(status_code=304, headers=headers)
    return Response(text, media_type="application/json", headers=headers)


@router.get("/recall", response_model=ReachPublic,
            response_description="every batch, pack, shipment and outlet reached",
            responses=problems(401, 403, 422))
def get_recall(views: Views, _: Admin, input_lot: Annotated[Text | None, Query(
                   examples=["LOT-BCL-0921"])] = None,
               batch_code: Annotated[Code | None, Query()] = None) -> Answer:
    """Forward from an input lot or a batch: each pack and where it is now."""
    if (input_lot is None) == (batch_code is None):
        raise InvalidField("give exactly one of input_lot or batch_code", field="input_lot",
                           message="input_lot or batch_code, not both")
    return Answer(views.trace.recall(input_lot=input_lot, batch_code=batch_code))


def epcis_uri(settings: Settings, trace: dict[str, Any]) -> str:
    """The EPCIS identifier of a traced pack or batch, which partners' events name."""
    ids, sku = identifiers(settings), (trace.get("product") or {}).get("sku", "")
    if trace["kind"] == "pack":
        return ids.pack(trace["code"], sku=sku, grade=trace.get("grade") or "")
    return ids.batch(trace["code"], sku=sku)
