"""The read models: ``build_views(settings)`` gives the ``ReadModels`` the API and workers read.

Queries answer from the view tables; ``runner(app)`` keeps them up to date from the event
log (in-process with ``infra.views.runtime.start_in_background``, or as ``gongxiao worker
projections``); ``rebuild`` and ``reconcile`` recompute a view from the log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from infra.settings import Settings
from infra.views.db import Database, open_database
from infra.views.rebuild import rebuild, reconcile
from infra.views.runner import Lag, ProjectionRunner
from infra.views.store import SqlStore
from projections.base import Projection
from projections.books import BooksProjection, BooksQueries
from projections.earnings import EarningsProjection, EarningsQueries
from projections.epcis import EpcisProjection, Identifiers
from projections.epcis.queries import EpcisQueries
from projections.orders import OrderQueries, OrdersProjection
from projections.stock import StockProjection, StockQueries
from projections.supply import SupplyProjection, SupplyQueries
from projections.trace import ColdChainQueries, TraceProjection, TraceQueries


def all_projections(settings: Settings | None = None) -> list[Projection]:
    return [StockProjection(), EarningsProjection(), TraceProjection(), OrdersProjection(),
            SupplyProjection(), BooksProjection(),
            EpcisProjection(identifiers(settings or Settings.from_env()))]


def identifiers(settings: Settings) -> Identifiers:
    """The URIs the EPCIS view gives packs, batches, runs and sites, as the settings say."""
    # Unset, ids use the local default address (docs/epcis.md): set it before partners read them.
    return Identifiers(public_url=settings.public_url or Identifiers.public_url,
                       company_prefix=settings.gs1.company_prefix,
                       gtins=settings.gs1.gtins, glns=settings.gs1.glns)


class ReadModels:
    def __init__(self, db: Database, settings: Settings | None = None) -> None:
        self.db = db
        self.projections = {p.name: p for p in all_projections(settings)}
        self.store = SqlStore(db, list(self.projections.values()))
        self.store.setup()
        self.stock = StockQueries(db)
        self.earnings = EarningsQueries(db)
        self.trace = TraceQueries(db)
        self.orders = OrderQueries(db)
        self.cold_chain = ColdChainQueries(db)
        self.epcis = EpcisQueries(db)
        self.supply = SupplyQueries(db)
        self.books = BooksQueries(db)

    @property
    def names(self) -> list[str]:
        return list(self.projections)

    def runner(self, app: Any, *, wait: Callable[[float], None] | None = None,
               batch_size: int = 2000, names: Sequence[str] | None = None) -> ProjectionRunner:
        """A runner of every projection (or of those named) over the application's log."""
        chosen = [self.projections[n] for n in names] if names else list(self.projections.values())
        return ProjectionRunner(recorder=app.recorder, mapper=app.mapper, store=self.store,
                                projections=chosen, batch_size=batch_size, wait=wait)

    def lag(self, app: Any) -> dict[str, Lag]:
        """Events and seconds each view is behind the log (for /metrics), whoever runs it."""
        return self.runner(app).lag()

    def faults(self, name: str | None = None) -> list[dict[str, Any]]:
        """The events the views (or the view ``name``) could not take and went on without."""
        return self.store.faults(self.chosen(name)[0] if name else None)

    def rebuild(self, app: Any, name: str | None = None) -> dict[str, int]:
        """Rebuild one view (or all) beside the live one and swap it in; answers positions."""
        return {n: rebuild(self.db, self.projections[n], recorder=app.recorder, mapper=app.mapper)
                for n in self.chosen(name)}

    def reconcile(self, app: Any, name: str | None = None) -> list[dict[str, Any]]:
        """Recompute views from the log and report how the live ones differ (their drift)."""
        return [reconcile(self.db, self.projections[n], recorder=app.recorder, mapper=app.mapper)
                for n in self.chosen(name)]

    def close(self) -> None:
        self.store.close()
        self.db.close()

    def chosen(self, name: str | None) -> list[str]:
        """The view called ``name``, or every view; KeyError for a name that is no view."""
        if name is not None and name not in self.projections:
            raise KeyError(f"no view {name!r}; views are {', '.join(self.projections)}")
        return [name] if name else self.names


def build_views(settings: Settings | None = None, *, schema: str | None = None) -> ReadModels:
    """The views of the store the settings name: ``var/views.db`` embedded, or the event
    store's PostgreSQL database (its ``schema``, default public)."""
    settings = settings or Settings.from_env()
    return ReadModels(open_database(database_url=settings.database_url, var_dir=settings.var_dir,
                               schema=schema or "public"), settings)
