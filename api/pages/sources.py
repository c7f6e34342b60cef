"""Where the pages read from: the read models the app was built with (``app.state.views``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request

from api.routes.trace import epcis_uri
from domain.errors import NotFound
from domain.packing_run import PackingRun
from domain.product import Range
from domain.stock import Stock


def trace_of(request: Request, code: str) -> dict[str, Any] | None:
    """The public trace of a pack or batch code (the body of GET /v1/trace/{code}), or None."""
    try:
        found = request.app.state.views.trace.trace(code)
    except NotFound:
        return None
    return dict(found) if found else None


def partner_events_of(request: Request, trace: dict[str, Any]) -> list[dict[str, Any]]:
    """What partners' captured EPCIS events say of the traced pack or batch (the JSON
    trace's ``partner_events``)."""
    return list(request.app.state.views.epcis.partner_events(
        [epcis_uri(request.app.state.settings, trace)]))


def allowed_range_of(request: Request, sku: str) -> Range:
    """The cold-room range of a produce, from the trace view (the trace answer names no range)."""
    return request.app.state.views.trace.allowed_range(sku)


def run_pack_codes(request: Request, run_id: str) -> list[str]:
    """The pack codes a packing run made, in order; empty when there is no such run.

    Read from the run (``PackingRun``), or for a run of before the split by cold store from
    the co-op-wide stock of its product and grade (a handful of cached aggregates).
    """
    app = request.app.state.gongxiao
    try:
        run = app.find(UUID(run_id))
    except ValueError:
        return []
    if isinstance(run, PackingRun):
        return run.pack_codes
    for sku in app.catalogue().produce:
        grades = {g for _, prices in app.product(sku).prices for g in prices}
        for grade in sorted(grades):
            stock = app.find(Stock.create_id(sku, grade))
            run = stock.runs.get(run_id) if stock is not None else None
            if run is not None:
                return list(run["pack_codes"])
    return []
