"""Stable topics for stored classes, so moving or renaming a module never orphans old events.

eventsourcing names a stored class by ``module:Qualname`` unless the class has a ``TOPIC``.
``stable_topics("Batch")`` gives an aggregate and each of its nested event classes a topic
under ``gongxiao:`` and registers it before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import register_topic

T = TypeVar("T", bound=type)
PREFIX = "gongxiao:"
_EVENTS: set[str] = set()


def stable_topics(name: str) -> Callable[[T], T]:
    def give_topics(cls: T) -> T:
        _name(cls, PREFIX + name)
        for attr, value in list(vars(cls).items()):
            if isinstance(value, type) and issubclass(value, CanMutateAggregate):
                _name(value, f"{PREFIX}{name}.{attr}")
                _EVENTS.add(f"{PREFIX}{name}.{attr}")
        return cls

    return give_topics


def is_event_topic(topic: str) -> bool:
    """Whether ``topic`` names one of our event classes (said without importing anything, so
    a topic read from a message can be checked)."""
    return topic in _EVENTS


def _name(cls: type, topic: str) -> None:
    cls.TOPIC = topic  # type: ignore[attr-defined]
    register_topic(topic, cls)
