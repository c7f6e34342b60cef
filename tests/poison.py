"""A projection that cannot take one event: the poison event of the fault tests."""

from __future__ import annotations

from typing import Any


class Refusing:
    """Wraps a projection and raises on the event at notification id ``position``, as a
    projection with a bug (or an event it was never meant to see) would."""

    def __init__(self, projection: Any, position: int) -> None:
        self.inner, self.position = projection, position
        self.name, self.tables, self.topics = projection.name, projection.tables, projection.topics
        self.by_aggregate, self.thens = projection.by_aggregate, projection.thens

    def needs(self, topic: str, event: Any) -> Any:
        return self.inner.needs(topic, event)

    def creates(self, topic: str, event: Any) -> Any:
        return self.inner.creates(topic, event)

    def then(self, topic: str, event: Any, rows: Any) -> Any:
        return self.inner.then(topic, event, rows)

    def apply(self, topic: str, event: Any, rows: Any, position: int) -> None:
        if position == self.position:
            raise ValueError(f"cannot take {topic}")
        self.inner.apply(topic, event, rows, position)


def position_of(app: Any, topic_suffix: str, nth: int = 0) -> int:
    """The notification id of the ``nth`` event whose topic ends with ``topic_suffix``."""
    found = [n.id for n in app.recorder.select_notifications(start=1, limit=100_000)
             if n.topic.endswith(topic_suffix)]
    return found[nth]
