"""``/t/{code}``: the page a pack's QR opens. Server-rendered, no script, one small response."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.pages.chart import cold_chain_chart
from api.pages.i18n import environment, gettext, locale_of
from api.pages.messages import PARTNER_DISPOSITIONS, PARTNER_STEPS, PLACES, SENSOR_TYPES
from api.pages.sources import allowed_range_of, partner_events_of, trace_of
from domain.batch import phi_verdict
from domain.product import Range

SHANGHAI = ZoneInfo("Asia/Shanghai")
router = APIRouter(include_in_schema=False)


@router.get("/t", response_class=HTMLResponse)
def typed_code(code: str = "", lang: str | None = None) -> RedirectResponse:
    """The code a buyer typed into the box of the code-not-found page."""
    query = f"?lang={quote(lang)}" if lang else ""
    return RedirectResponse(f"/t/{quote(code.strip() or '-', safe='')}{query}", status_code=303)


@router.get("/t/{code}", response_class=HTMLResponse)
def trace_page(request: Request, code: str, lang: str | None = None) -> HTMLResponse:
    locale = locale_of(lang)
    # Printed codes are upper case; a buyer typing one on a phone often is not.
    trace = trace_of(request, code) or trace_of(request, code.strip().upper())
    if trace is None:
        html = environment(locale).get_template("not_found.html").render(
            code=code, lang=lang, contact=request.app.state.settings.contact)
        return HTMLResponse(html, status_code=404)
    allowed = allowed_range_of(request, str((trace.get("product") or {}).get("sku")))
    trace["partner_events"] = partner_events_of(request, trace)
    settings = request.app.state.settings
    html = environment(locale).get_template("trace.html").render(
        page=trace_model(trace, locale=locale, now=datetime.now(UTC), allowed=allowed),
        coop={"name": settings.coop_name, "phone": settings.coop_phone}, lang=lang)
    # Short public caching: a pack's place changes, but a burst of scans of one code is common.
    return HTMLResponse(html, headers={"Cache-Control": "public, max-age=60"})


def trace_model(trace: dict[str, Any], *, locale: str, now: datetime,
                allowed: Range = (None, None)) -> dict[str, Any]:
    """The trace view's answer (API.md shape) turned into what the template shows, with the
    product's allowed cold-room range drawn as a band behind the readings."""
    expires = when(trace.get("expires_at"))
    status = str(trace.get("status") or "")
    cold = trace.get("cold_chain") or {}
    return {
        "code": trace["code"], "kind": trace.get("kind", "pack"),
        "product": name_of(trace.get("product")), "grade": trace.get("grade"),
        "pack_kg": weight(trace.get("pack_kg")), "packed_at": local(trace.get("packed_at")),
        "expires_at": local(expires),
        "place": gettext(locale, PLACES[status]) if status in PLACES else status,
        "outlet": name_of(trace.get("outlet")),
        "on_hold": status == "on_hold" or bool(trace.get("holds")),
        "recall": _recall(trace.get("recall")),
        "expired": trace.get("shelf_life") == "expired" or (expires is not None and expires <= now),
        "sources": [_source(s) for s in trace.get("sources") or []],
        # A pack's sources are the batches it came from; what each gave the whole packing run
        # is not what this one pack holds, so the page names them and the pack's own weight.
        "batches": "、".join(str(s.get("batch_code")) for s in trace.get("sources") or []),
        "chart": _chart(cold, allowed), "cold": {"min_c": cold.get("min_c"), "max_c": cold.get("max_c"),
                                        "excursions": len(cold.get("excursions") or [])},
        "shipment": {k: local(v) for k, v in (trace.get("shipment") or {}).items()
                     if k in ("departed_at", "delivered_at")} or None,
        "partners": [_partner(e, locale) for e in trace.get("partner_events") or []],
    }


UNITS = {"CEL": "°C", "KGM": "kg", "GRM": "g", "MGM": "mg", "M1": "mg/L", "P1": "%"}


def _partner(found: dict[str, Any], locale: str) -> dict[str, Any]:
    """A partner's event as the buyer reads it: what was done, when, with what outcome; CBV
    words in the page's language, anything else as the partner sent it."""
    step, disposition = found.get("biz_step") or "", found.get("disposition") or ""
    reports = []
    for r in found.get("reports") or []:
        kind = str(r.get("type") or "").rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        value = r.get("value", r.get("stringValue", r.get("booleanValue")))
        substance = str(r.get("chemicalSubstance") or r.get("microorganism") or "")
        reports.append({
            "kind": gettext(locale, SENSOR_TYPES[kind]) if kind in SENSOR_TYPES else kind,
            "value": "" if value is None else str(value),
            "unit": UNITS.get(str(r.get("uom") or ""), str(r.get("uom") or "")),
            "substance": substance.rsplit("/", 1)[-1]})
    return {"step": gettext(locale, PARTNER_STEPS[step]) if step in PARTNER_STEPS else step,
            "disposition": (gettext(locale, PARTNER_DISPOSITIONS[disposition])
                            if disposition in PARTNER_DISPOSITIONS else disposition),
            "at": local(found.get("event_time")), "reports": reports}


def _recall(recall: dict[str, Any] | None) -> dict[str, Any] | None:
    if not recall:
        return None
    return {"reason": recall.get("reason"), "opened_at": local(recall.get("opened_at")),
            "recall_id": recall.get("recall_id")}


def _certificate(found: dict[str, Any] | None) -> dict[str, Any] | None:
    if not found:
        return None
    issued = local(found.get("issued_at"))
    return {"issuer": found.get("issuer"), "issued_on": issued[:10] if issued else None,
            "kg": weight(found.get("quantity_kg")), "product": found.get("product"),
            "village": found.get("village"), "farmer": found.get("farmer"),
            "self_check": [b.get("kind") for b in found.get("basis") or []] == ["self_check"]}


def _source(source: dict[str, Any]) -> dict[str, Any]:
    harvested = when(source.get("harvested_at"))
    intake = source.get("intake") or {}
    grading = source.get("grading") or {}
    return {
        "batch_code": source.get("batch_code"), "kg": weight(source.get("kg")),
        "farmer": (source.get("farmer") or {}).get("display_name"),
        "village": (source.get("farmer") or {}).get("village"),
        "harvested_at": local(harvested),
        "intake": {"site": name_of(intake.get("site")), "at": local(intake.get("at")),
                   "temperature_c": intake.get("temperature_c")},
        "graded_at": local(grading.get("at")),
        "inputs": [_input(a, harvested) for a in source.get("inputs_applied") or []],
        "certificate": _certificate(source.get("certificate")),
    }


def _input(applied: dict[str, Any], harvested: datetime | None) -> dict[str, Any]:
    at = when(applied.get("applied_at"))
    # Calendar days as the farmer counts them (sprayed the 19th, cut the 21st: 2 days).
    days = (_day(harvested) - _day(at)).days if harvested and at else None
    phi_days = applied.get("phi_days")
    return {"product": name_of(applied.get("product")), "ingredient": applied.get("active_ingredient"),
            "lot": applied.get("lot"), "applied_at": local(at), "phi_days": phi_days,
            "days_before_harvest": days,
            "verdict": phi_verdict(harvested_at=harvested, applied_at=at, phi_days=phi_days)
            if harvested and at else None}


def _chart(cold: dict[str, Any], allowed: Range) -> Any:
    readings = [(t, float(r["celsius"])) for r in cold.get("readings") or []
                if (t := when(r.get("at"))) is not None]
    excursions = [(t, float(e["celsius"])) for e in cold.get("excursions") or []
                  if isinstance(e, dict) and e.get("celsius") is not None
                  and (t := when(e.get("at"))) is not None]
    # A band needs both ends; a range open at one end is drawn as no band.
    low, high = allowed
    band = (float(low), float(high)) if low is not None and high is not None else None
    return cold_chain_chart(sorted(readings), allowed=band, excursions=excursions)


def name_of(value: Any) -> str | None:
    """A product, site or outlet is a name, or a record that has one."""
    if isinstance(value, dict):
        return value.get("name") or value.get("sku") or value.get("site_id") or value.get("id")
    return None if value is None else str(value)


def when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def local(value: Any) -> str | None:
    """A moment as the site's people read it: Shanghai time, to the minute."""
    moment = when(value)
    return None if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def weight(value: Any) -> str | None:
    return None if value is None else f"{Decimal(str(value)).normalize():f}"
