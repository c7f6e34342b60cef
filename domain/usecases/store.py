"""What every use case stands on: the store it loads aggregates from and saves them to, and
the master data nearly every use case checks first (a site of the right kind, a farmer, a
product).

A use case is a function of the store, written load → decide → save; ``command`` marks one
that records. ``Store`` is an eventsourcing application, in memory unless ``PERSISTENCE_MODULE``
says otherwise; ``domain.application.Gongxiao`` is the store with every use case listed as
its methods, and ``infra.application`` gives it its unit of work on a real store.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate

from domain.catalogue import Catalogue
from domain.errors import DomainError, Invalid
from domain.farmer import Farmer, UnknownFarmer
from domain.product import Product, UnknownProduct
from domain.site import Site, UnknownSite
from domain.values import utc

A = TypeVar("A", bound=Aggregate)
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
# What a load answers when there is no such aggregate: the error, or how to make it (so a
# load that finds its aggregate, the usual case, builds no error).
Missing = DomainError | Callable[[], DomainError]


class Store(Application[UUID]):
    def run_use_case(self, use_case: Callable[[], T]) -> T:
        """Run one use case; its single ``save`` records all it changed, or nothing."""
        return use_case()

    def prefetch(self, *aggregate_ids: UUID) -> None:
        """The aggregates a use case is about to load; here each is read when it is loaded."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def load(self, cls: type[A], aggregate_id: UUID, missing: Missing) -> A:
        aggregate = self.find(aggregate_id)
        if aggregate is None or not isinstance(aggregate, cls):
            raise missing if isinstance(missing, DomainError) else missing()
        return aggregate

    def find(self, aggregate_id: UUID) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def load_or_open(self, cls: type[A], **key: Any) -> A:
        """The aggregate of a key, opened (not yet saved) the first time it is needed."""
        found = self.find(cls.create_id(**key))
        return found if found is not None else cls(**key)


def command(use_case: F) -> F:
    """A use case that records: its times are taken in UTC and the store runs it as one whole
    (``Store.run_use_case``): every aggregate it saves, or none."""

    @functools.wraps(use_case)
    def run(store: Store, *args: Any, **kwargs: Any) -> Any:
        kwargs = {k: utc(v, field=k) if isinstance(v, datetime) else v for k, v in kwargs.items()}
        return store.run_use_case(lambda: use_case(store, *args, **kwargs))

    return run  # type: ignore[return-value]


def load_farmer(store: Store, farmer_id: str) -> Farmer:
    return store.load(Farmer, Farmer.create_id(farmer_id), lambda: UnknownFarmer(farmer_id))


def load_site(store: Store, site_id: str, kind: str | None = None) -> Site:
    site = store.load(Site, Site.create_id(site_id), lambda: UnknownSite(site_id))
    if kind:
        site.check_is(kind)
    return site


def load_product(store: Store, sku: str, kind: str | None = None) -> Product:
    product = store.load(Product, Product.create_id(sku), lambda: UnknownProduct(sku))
    if kind and product.kind != kind:
        raise Invalid(f"{sku} is {product.kind}, not {kind}", field="sku")
    return product


def load_catalogue(store: Store) -> Catalogue:
    return store.load_or_open(Catalogue)
