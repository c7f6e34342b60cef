"""The view interface every projection writes through, and the base of the projections.

A projection maps events to row changes. It never touches a database: it asks ``Rows`` for
the rows it needs and says which rows change; the store behind ``Rows`` (in ``infra``) batches
them and commits them together with the tracking position, so each event counts once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any, ClassVar, Protocol

from domain.topics import PREFIX
from projections.tables import Table

Key = tuple[Any, ...]
Need = tuple[Table, Key]
Handler = Callable[[Any, Any, "Rows", int], None]
Then = Callable[[Any, "Rows"], Iterable[Need]]


class Rows(Protocol):
    def get(self, table: Table, key: Key) -> dict[str, Any] | None:
        """The row of a key as the batch has left it so far, or None."""

    def put(self, table: Table, row: dict[str, Any]) -> None:
        """Write a whole row (insert or replace)."""

    def add(self, table: Table, key: Key, deltas: dict[str, int]) -> None:
        """Add to the counters of a row of a counters table (created at zero)."""


def on(*names: str, needs: Callable[[Any], Iterable[Need]] | None = None,
       creates: Callable[[Any], Iterable[Need]] | None = None,
       then: Then | None = None) -> Callable[[Any], Any]:
    """Mark a method as the handler of events ``"Aggregate.Event"``; ``needs`` names the rows
    it will read, so a batch fetches them all at once instead of one query per event;
    ``creates`` names rows it always writes whole, so a later event of the same batch that
    needs one of them finds it in memory and it is not looked up. ``then`` names rows whose
    keys are read from rows ``needs`` named (a site's unit, then a farmer's standing in it):
    given those rows as the batch found them, fetched in a second round for the whole batch
    (skipped for an event whose needed rows the batch itself creates first)."""

    def mark(method: Any) -> Any:
        method.handles = [PREFIX + n for n in names]
        method.needs = needs
        method.creates = creates
        method.then = then
        return method

    return mark


class Projection:
    """Base of the projections: dispatches events by their stable topic."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    # True when each row follows the events of one aggregate only, so events of different
    # aggregates give the same rows in any order: such a view may be fed partition by
    # partition from Kafka (``gongxiao worker projections --from kafka``); others need log order.
    by_aggregate: ClassVar[bool] = False

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.needers: dict[str, Callable[[Any], Iterable[Need]]] = {}
        self.creators: dict[str, Callable[[Any], Iterable[Need]]] = {}
        self.thens: dict[str, Then] = {}
        for attr in dir(type(self)):
            method = getattr(type(self), attr)
            for topic in getattr(method, "handles", ()):
                self.handlers[topic] = method
                if method.needs is not None:
                    self.needers[topic] = method.needs
                if method.creates is not None:
                    self.creators[topic] = method.creates
                if method.then is not None:
                    self.thens[topic] = method.then

    @cached_property  # asked for every event of every batch
    def topics(self) -> frozenset[str]:
        return frozenset(self.handlers)

    def needs(self, topic: str, event: Any) -> Iterable[Need]:
        needer = self.needers.get(topic)
        return needer(event) if needer else ()

    def then(self, topic: str, event: Any, rows: Rows) -> Iterable[Need]:
        follow = self.thens.get(topic)
        return follow(event, rows) if follow else ()

    def creates(self, topic: str, event: Any) -> Iterable[Need]:
        creator = self.creators.get(topic)
        return creator(event) if creator else ()

    def apply(self, topic: str, event: Any, rows: Rows, position: int) -> None:
        handler = self.handlers.get(topic)
        if handler is not None:
            handler(self, event, rows, position)
