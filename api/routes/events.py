"""The stored event log, in order, for integration (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Admin, App
from api.jsonio import Answer, ExactRoute
from contract.problems import problems
from contract.reads import EventPublic
from infra.event_json import encode_notification

router = APIRouter(prefix="/v1", tags=["integration"], route_class=ExactRoute)


@router.get("/events", response_model=list[EventPublic],
            response_description="events after `after`, oldest first",
            responses=problems(401, 403, 422))
def get_events(app: App, _: Admin, after: Annotated[int, Query(ge=0, le=2**62)] = 0,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Answer:
    """Page with ``after`` = the last ``notification_id`` seen; the same shape as the
    ``gongxiao.events`` Kafka topic."""
    notes = app.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)
    return Answer([encode_notification(app, n) for n in notes])
