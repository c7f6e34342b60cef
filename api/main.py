"""The composition root of the HTTP API: ``create_app()`` wires the application, its views,
tokens, kept replies, limits and metrics into FastAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import errors, pages
from api.edge import Edge
from api.limits import Limits, RequestLimits
from api.metrics import MeasureRequests, Metrics
from api.openapi import describe
from api.pages import staff
from api.routes import (
    batches,
    books,
    coldstore,
    epcis,
    events,
    export,
    farmers,
    health,
    inputs,
    labels,
    orders,
    products,
    recalls,
    sales,
    shipments,
    sites,
    stock,
    supply,
    trace,
)
from infra.application import StoredGongxiao
from infra.composition import Composition
from infra.label_sheets import LabelSheets
from infra.settings import Settings
from infra.views import ReadModels

ROUTERS = (farmers, sites, products, inputs, supply, books, batches, coldstore, orders, shipments,
           sales, stock, trace, recalls, export, events, health, epcis)


def create_app(app: StoredGongxiao | None = None, *, settings: Settings | None = None,
               views: ReadModels | None = None, limits: Limits | None = None,
               project: bool = True) -> FastAPI:
    """The API over an application (default: the one the settings name) and its views.

    ``project`` runs the projections in this process while it serves, so an embedded
    ``gongxiao serve`` needs nothing else; tests pass False and catch the views up themselves.
    """
    wired = Composition(settings, app=app, views=views)
    settings, gongxiao, views = wired.settings, wired.app, wired.views
    # /docs and /redoc from the package's own copies of Swagger UI and ReDoc: a co-op office
    # or cold store often has no internet to reach a CDN.
    api = FastAPIOffline(title="Gongxiao", version="0.1.0", lifespan=_lifespan(project),
                         description=describe.__doc__ or "", static_url="/static/docs")
    api.state.settings, api.state.gongxiao, api.state.views = settings, gongxiao, views
    api.state.tokens, api.state.replies = wired.tokens, wired.replies
    api.state.label_sheets = LabelSheets()
    api.state.kafka_probe = health.KafkaProbe()
    api.state.readiness = health.Readiness(app=gongxiao, views=views,
                                           stuck_s=settings.views_stuck_s)
    api.state.metrics = Metrics(head=lambda: gongxiao.recorder.max_notification_id() or 0,
                                lag=lambda: views.lag(gongxiao),
                                faults=views.store.fault_counts)
    for module in ROUTERS:
        api.include_router(module.router)
    api.include_router(labels.router)
    api.include_router(staff.router)  # GET /v1/holds, for the staff screen
    api.include_router(pages.router)  # the HTML pages: /t/{code}, /station, /outlet, /admin
    errors.install(api)
    api.add_middleware(RequestLimits, limits=limits or settings.limits)
    api.add_middleware(MeasureRequests, metrics=api.state.metrics)
    api.add_middleware(Edge, inline_styles=pages.inline_styles())
    describe(api)
    return api


def create_worker_app() -> FastAPI:
    """One of several ``gongxiao serve --workers`` processes: the views are kept by another."""
    return create_app(project=False)


def _lifespan(project: bool) -> Any:
    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        from infra.views.runtime import start_in_background

        state = api.state
        state.projections = (start_in_background(state.gongxiao, state.views, state.settings)
                             if project else None)
        try:
            yield
        finally:
            state.label_sheets.close()
            if state.projections is not None:
                state.projections.stop()

    return lifespan
