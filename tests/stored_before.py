"""Events recorded in the shape older code stored them, to show they still load."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import StoredEvent

from infra.application import StoredGongxiao


def stored_as_before(app: StoredGongxiao, *aggregates: Any, added: dict[str, tuple[str, ...]],
                     reshape: Callable[[str, dict[str, Any]], None] | None = None) -> None:
    """Record the aggregates' new events without their class version and the fields ``added``
    since (per topic); ``reshape(topic, state)`` changes what else differed."""
    transcoder = app.mapper.transcoder
    stored = []
    for event in (e for a in aggregates for e in a.collect_events()):
        new = app.mapper.to_stored_event(event)
        state = transcoder.decode(new.state)
        for name in ("class_version", *added.get(new.topic, ())):
            state.pop(name, None)
        if reshape is not None:
            reshape(new.topic, state)
        stored.append(StoredEvent(originator_id=new.originator_id,
                                  originator_version=new.originator_version, topic=new.topic,
                                  state=transcoder.encode(state)))
    app.recorder.insert_events(stored)
