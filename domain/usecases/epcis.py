"""EPCIS capture: partners' events stored as events of their own, all of a document or none.

Saves ``PartnerEvent`` and ``CaptureJob``; the events were checked against GS1's schema and
given their ``eventID`` by the entrypoint."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.errors import NotFound
from domain.partner_event import CaptureJob, PartnerEvent
from domain.usecases.store import Store, command


@command
def capture_events(store: Store, *, captured_by: str, events: list[dict[str, Any]],
                   refused: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Store a document's events; one already captured (by its eventID) is not stored again,
    and the same document sent again is the same capture job. ``refused`` (proceed mode):
    the problems of the document's events that were left out, kept on the job."""
    ids = [e["eventID"] for e in events]
    job_id = CaptureJob.create_id(captured_by, ids, "rollback" if refused is None else "proceed")
    earlier = store.find(job_id)
    if earlier is not None:
        return job_answer(earlier)
    store.prefetch(*(PartnerEvent.create_id(i) for i in ids))
    fresh = [e for e in {e["eventID"]: e for e in events}.values()
             if store.find(PartnerEvent.create_id(e["eventID"])) is None]
    job = CaptureJob(id=job_id, captured_by=captured_by, event_ids=ids,
                     new_event_ids=[e["eventID"] for e in fresh])
    if refused is not None:
        job.proceeded(errors=refused)
    store.save(*(PartnerEvent(event_id=e["eventID"], event=e, captured_by=captured_by,
                              capture_id=str(job_id)) for e in fresh), job)
    return job_answer(job)


def load_capture_job(store: Store, capture_id: UUID) -> dict[str, Any]:
    job = store.load(CaptureJob, capture_id, NotFound(f"no capture job {capture_id}"))
    return job_answer(job)


def job_answer(job: CaptureJob) -> dict[str, Any]:
    return {"captureID": str(job.id), "captured_by": job.captured_by, "event_ids": job.event_ids,
            "new_event_ids": job.new_event_ids, "behaviour": job.behaviour, "errors": job.errors}
