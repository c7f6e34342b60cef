"""Partners' EPCIS events captured as they were sent (a buyer's receiving, a lab's inspecting),
each an immutable event of its own, and the capture job that took them.

A partner event is known by its EPCIS ``eventID``: the same event sent again is already
captured and records nothing. A capture job takes a document's events all or none (the
bindings' ``rollback``): checking them is the entrypoint's (the JSON Schema), storing them is
one save.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.topics import stable_topics
from domain.values import id_for


@stable_topics("PartnerEvent")
class PartnerEvent(Aggregate):
    @event("Captured")
    def __init__(self, event_id: str, event: dict[str, Any], captured_by: str,
                 capture_id: str) -> None:
        self.event_id, self.event = event_id, event
        self.captured_by, self.capture_id = captured_by, capture_id

    @staticmethod
    def create_id(event_id: str) -> UUID:
        return id_for("partner_event", event_id)


@stable_topics("CaptureJob")
class CaptureJob(Aggregate):
    @event("Finished")
    def __init__(self, id: UUID, captured_by: str, event_ids: list[str],
                 new_event_ids: list[str]) -> None:
        """``event_ids`` are the document's events, ``new_event_ids`` those not captured
        before (a resent event is already there)."""
        self.captured_by, self.event_ids, self.new_event_ids = captured_by, event_ids, new_event_ids
        self.behaviour, self.errors = "rollback", list[dict[str, Any]]()

    @event("Proceeded")
    def proceeded(self, errors: list[dict[str, Any]]) -> None:
        """Captured with ``GS1-Capture-Error-Behaviour: proceed``: the events that broke the
        schema were left out, each with its problem (``errors``; none when every event was
        good)."""
        self.behaviour, self.errors = "proceed", errors

    @staticmethod
    def create_id(captured_by: str, event_ids: list[str], behaviour: str = "rollback") -> UUID:
        """A rollback job is known by its party and events (the same document sent again is
        the same job); a proceed job also by its behaviour."""
        suffix = "" if behaviour == "rollback" else f"\n{behaviour}"
        return id_for("capture_job", captured_by + "\n" + "\n".join(sorted(event_ids)) + suffix)
