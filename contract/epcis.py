"""The EPCIS capture job (GS1 EPCIS 2.0 REST bindings); EPCIS documents themselves are
``application/ld+json`` in GS1's own schema, not a model of ours."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.fields import Public
from contract.problems import ProblemPublic


class CaptureJobPublic(Public):
    """A capture job is finished when it is answered: with ``rollback`` all of the document
    stored, or none; with ``proceed`` every good event stored and the others in ``errors``."""

    capture_id: str = Field(alias="captureID")
    running: Literal[False]
    success: bool = Field(description="false: some events were left out (proceed only)")
    capture_error_behaviour: Literal["rollback", "proceed"] = Field(alias="captureErrorBehaviour")
    errors: list[ProblemPublic] = Field(description="proceed: a problem per event left out; "
                                                    "rollback: always empty (a refused document "
                                                    "is refused whole, with its problem)")
    event_ids: list[str] = Field(alias="eventIDs", description="every event captured by the job")
    new_event_ids: list[str] = Field(alias="newEventIDs",
                                     description="those not captured before (by eventID)")
