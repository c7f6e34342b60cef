"""The co-op's list of products, so rules that concern every product can find them."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.topics import stable_topics
from domain.values import id_for


@stable_topics("Catalogue")
class Catalogue(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        self.produce: list[str] = []
        self.inputs: list[str] = []

    @staticmethod
    def create_id() -> UUID:
        return id_for("catalogue", "district")

    def list_product(self, *, sku: str, kind: str) -> None:
        if sku not in self.produce and sku not in self.inputs:
            self._product_listed(sku=sku, kind=kind)

    @event("ProductListed")
    def _product_listed(self, sku: str, kind: str) -> None:
        (self.produce if kind == "produce" else self.inputs).append(sku)
