"""GS1 EPCIS 2.0 (its REST bindings): the standard query over the EPCIS view, one event by id,
capture of partners' events, and GS1 Digital Link URIs resolved to the buyer's trace page.

Every answer says ``GS1-EPCIS-Version`` and ``GS1-CBV-Version``; documents are
``application/ld+json``; refusals are problem+json with EPCIS's own exception types.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.deps import App, Caller, Views
from contract.epcis import CaptureJobPublic
from contract.problems import ProblemPublic, problems
from domain.errors import NotFound
from infra.epcis_capture import CaptureRefused, events_to_capture, events_to_capture_greedily
from infra.problems import Problem, Unavailable
from infra.settings import Settings
from infra.tokens import Principal
from infra.views import identifiers
from projections.epcis.identifiers import checked_link
from projections.epcis.mapping import context
from projections.epcis.queries import SUPPORTED, TIMES
from projections.epcis.vocabulary import NotAPattern

router = APIRouter(tags=["EPCIS 2.0"])
DOCUMENT = {"content": {"application/ld+json": {"schema": {
    "type": "object", "required": ["@context", "type", "epcisBody"]}}}}
UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {"description": "not application/ld+json or application/json", "model": ProblemPublic}}
VERSIONS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
MEDIA = "application/ld+json"
STANDARD_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
PAGING = ("perPage", "nextPageToken")
MAX_PER_PAGE = 1000
# Events per captured document, each document stored in one transaction (a 10,000-event
# document is one write of 10-60 MB; see PostgresRecorder._insert_stored_events). Larger
# documents are refused with 413 and sent in parts.
CAPTURE_LIMIT = 10_000


@router.get("/epcis/events", response_model=None, responses={
    200: {"description": "an EPCISQueryDocument", **DOCUMENT}, **problems(400, 401, 422, 429, 503)})
def get_events(request: Request, views: Views, caller: Caller,
               per_page: Annotated[int, Query(alias="perPage", ge=1, le=MAX_PER_PAGE)] = 30,
               next_page_token: Annotated[str | None, Query(alias="nextPageToken",
                                                            max_length=200)] = None) -> Response:
    """The standard query: an ``EPCISQueryDocument`` of the events the parameters select
    that the caller may see, ``perPage`` at a time, the next page in ``Link: rel="next"``."""
    params = request.query_params
    unknown = sorted(set(params) - SUPPORTED - set(PAGING))
    if unknown:
        raise _query_problem(f"unknown or unsupported query parameter(s): {', '.join(unknown)}; "
                             f"supported: {', '.join(sorted(SUPPORTED))}", unknown)
    query = {name: [v for value in params.getlist(name) for v in value.split("|") if v]
             for name in params if name in SUPPORTED and name not in TIMES}
    times = {name: _time(name, params[name]) for name in params if name in TIMES}
    try:
        page = views.epcis.events(query, times, scopes=_scopes(caller), per_page=per_page,
                                  after=_after(next_page_token))
    except NotAPattern as e:
        raise _query_problem(str(e), [n for n in query if n.startswith("MATCH_")]) from e
    headers = dict(VERSIONS)
    if page.next_after is not None:
        token = base64.urlsafe_b64encode(str(page.next_after).encode()).decode().rstrip("=")
        rest = [(k, v) for k, v in params.multi_items() if k != "nextPageToken"]
        url = str(request.url.replace(query=urlencode([*rest, ("nextPageToken", token)])))
        headers["Link"] = f'<{url}>; rel="next"'
    return _document(request, page.events, headers)


@router.get("/epcis/events/{event_id:path}", response_model=None, responses={
    200: {"description": "an EPCISQueryDocument of the one event", **DOCUMENT},
    **problems(401, 404, 429, 503)})
def get_event(request: Request, event_id: str, views: Views, caller: Caller) -> Response:
    """One event by its ``eventID`` (URL-encoded), in an ``EPCISQueryDocument``."""
    found = views.epcis.event(event_id, scopes=_scopes(caller))
    if found is None:
        raise Problem(404, f"no event {event_id} that this token may see",
                      slug="epcisException:NoSuchResourceException", headers=VERSIONS)
    return _document(request, [found], dict(VERSIONS))


@router.post("/epcis/capture", response_model=CaptureJobPublic, status_code=202,
             response_description="captured: the capture job", responses={
    **problems(400, 401, 413, 422, 429, 503), **UNSUPPORTED},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/ld+json": {"schema": {"type": "object"}},
        "application/json": {"schema": {"type": "object"}}}}})
async def capture(request: Request, app: App, caller: Caller,
                  behaviour: Annotated[str, Header(alias="GS1-Capture-Error-Behaviour")] = "rollback",
                  ) -> Response:
    """Partners' events: the whole document is checked against GS1's schema, then stored
    (all or none: ``rollback``, the default; with ``proceed`` the events that break the
    schema are left out, each with its problem in the job's ``errors``); an event already
    captured (same ``eventID``) is not stored again. Answers 202 with the capture job in
    ``Location``."""
    settings: Settings = request.app.state.settings
    media = request.headers.get("content-type", "").split(";")[0].strip()
    if media not in ("application/json", MEDIA):
        raise Problem(415, "send the EPCIS document as application/ld+json or application/json",
                      slug="epcisException:UnsupportedMediaType", headers=VERSIONS)
    if behaviour not in ("rollback", "proceed"):
        raise _invalid("GS1-Capture-Error-Behaviour is rollback (the default) or proceed",
                       [{"field": "GS1-Capture-Error-Behaviour", "message": "rollback or proceed"}])
    if settings.epcis_schema is None:
        raise Unavailable("capture is not set up here: GONGXIAO_EPCIS_SCHEMA must name GS1's "
                          "EPCIS-JSON-Schema.json", slug="epcis-capture-unconfigured")
    body = await request.body()
    # Reading, checking (GS1's schema costs milliseconds an event) and storing a document of
    # thousands of events takes seconds: off the event loop, which serves every other request.
    events, refused = await run_in_threadpool(_checked_events, body, settings.epcis_schema,
                                              behaviour == "proceed")
    job = await run_in_threadpool(app.capture_events, captured_by=_party(caller), events=events,
                                  refused=refused if behaviour == "proceed" else None)
    location = f"/epcis/capture/{job['captureID']}"
    return Response(json.dumps(_job(job)), status_code=202, media_type="application/json",
                    headers={**VERSIONS, "Location": location,
                             "GS1-EPCIS-Capture-Limit": str(CAPTURE_LIMIT)})


def _checked_events(body: bytes, schema: str, proceed: bool,
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise _invalid("the body is not JSON", [{"field": "/", "message": str(e)[:200]}]) from e
    count = _event_count(document)
    if count > CAPTURE_LIMIT:
        raise Problem(413, f"a document of {count} events: at most {CAPTURE_LIMIT} per "
                           "capture; send it in parts", slug="epcisException:CaptureLimitExceededException",
                      headers={**VERSIONS, "GS1-EPCIS-Capture-Limit": str(CAPTURE_LIMIT)})
    try:
        if proceed:
            return events_to_capture_greedily(document, schema)
        return events_to_capture(document, schema), []
    except CaptureRefused as refused:
        raise _invalid(refused.detail, refused.errors) from refused


def _event_count(document: Any) -> int:
    """The events a document holds, counted before it is checked (the check costs per event)."""
    body = document.get("epcisBody") if isinstance(document, dict) else None
    if not isinstance(body, dict):
        return 0
    if "eventList" not in body:
        results = body.get("queryResults")
        body = results.get("resultsBody") if isinstance(results, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    return len(events) if isinstance(events, list) else 0


@router.get("/epcis/capture/{capture_id}", response_model=CaptureJobPublic,
            response_description="the capture job", responses=problems(401, 404, 429, 503))
def get_capture(capture_id: str, app: App, caller: Caller) -> Response:
    try:
        job = app.capture_job(UUID(capture_id))
    except ValueError as e:
        raise Problem(404, f"no capture job {capture_id}", slug="epcisException:NoSuchResourceException",
                      headers=VERSIONS) from e
    if caller.role != "admin" and job["captured_by"] != _party(caller):
        raise Problem(404, f"no capture job {capture_id}", slug="epcisException:NoSuchResourceException",
                      headers=VERSIONS)
    return Response(json.dumps(_job(job)), media_type="application/json", headers=VERSIONS)


@router.get("/01/{gtin}/{qualifier}/{code}", response_model=None, include_in_schema=False)
def resolve_digital_link(gtin: str, qualifier: str, code: str) -> Response:
    """A GS1 Digital Link on the label (``/01/{GTIN}/21/{pack}`` or ``/10/{batch}``) opens
    the buyer's trace page of that pack or batch."""
    if qualifier not in ("21", "10") or not checked_link(f"/01/{gtin}/{qualifier}/{code}"):
        raise NotFound("not a Digital Link of a pack or a batch")
    return RedirectResponse(f"/t/{code}", status_code=308)


def _document(request: Request, events: list[dict[str, Any]], headers: dict[str, str]) -> Response:
    ids = identifiers(request.app.state.settings)
    body = {"@context": [STANDARD_CONTEXT, context(ids)], "type": "EPCISQueryDocument",
            "schemaVersion": "2.0",
            "creationDate": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery",
                                           "resultsBody": {"eventList": events}}}}
    return Response(json.dumps(body, ensure_ascii=False), media_type=MEDIA, headers=headers)


def _job(job: dict[str, Any]) -> dict[str, Any]:
    return {"captureID": job["captureID"], "running": False, "success": not job["errors"],
            "captureErrorBehaviour": job["behaviour"], "errors": job["errors"],
            "eventIDs": job["event_ids"], "newEventIDs": job["new_event_ids"]}


def _scopes(caller: Principal) -> list[str] | None:
    """None for staff (every event); else the scope a token sees events of."""
    return None if caller.role == "admin" else [_party(caller)]


def _party(caller: Principal) -> str:
    if caller.role == "admin":
        return "admin"
    return f"farmer:{caller.scope}" if caller.role == "farmer" else f"site:{caller.scope}"


def _after(token: str | None) -> int:
    if token is None:
        return -1
    try:
        return int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
    except ValueError as e:
        raise _query_problem("nextPageToken is not one this server gave", ["nextPageToken"]) from e


def _time(name: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as e:
        raise _query_problem(f"{name} is not a time with an offset (RFC 3339)", [name]) from e
    if moment.tzinfo is None:
        raise _query_problem(f"{name} needs an offset (e.g. +08:00 or Z)", [name])
    return moment


def _query_problem(detail: str, names: list[str]) -> Problem:
    return Problem(400, detail, slug="epcisException:QueryParameterException", headers=VERSIONS,
                   errors=[{"field": n, "message": "not accepted"} for n in names])


def _invalid(detail: str, errors: list[dict[str, str]]) -> Problem:
    return Problem(400, detail, slug="epcisException:ValidationException", headers=VERSIONS,
                   errors=errors)
