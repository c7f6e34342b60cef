"""Printable pack labels: one pack's label as SVG or PNG, a packing run's as a PDF or SVG strip.

One pack's label is public like the trace page it points to ("trace reads need no token"):
it shows nothing the QR's page does not, and costs one small drawing. A run's sheet is the
cold store's (its operator or an admin): it lists every pack of the run and costs a drawing
per pack, so each process draws it once and keeps it (``infra.label_sheets``).
Labels are in Chinese unless ``?lang=en`` asks otherwise; their words come from the pages'
message catalogs. Their QR codes point at ``GONGXIAO_PUBLIC_URL``, the address buyers' phones
reach, never at the host the printing browser happened to use (127.0.0.1, a LAN address): with
it unset a label is refused rather than printed with a code no buyer can open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import Caller
from api.pages.i18n import gettext, locale_of
from api.pages.messages import CERTIFICATE_LABEL, CERTIFICATE_PENDING_LABEL, COOP, LABEL
from api.pages.sources import run_pack_codes, trace_of
from api.pages.trace import local, name_of, weight
from domain.errors import NotFound
from infra import labels as draw
from infra.label_sheets import LabelSheets
from infra.labels import Label, LabelWords
from infra.problems import Unavailable
from infra.tokens import Principal
from infra.views import identifiers

router = APIRouter(tags=["labels"])
SVG = "image/svg+xml"
CACHE = {"Cache-Control": "public, max-age=300"}
PRIVATE = {"Cache-Control": "private, max-age=300"}


@router.get("/v1/packs/{pack_code}/label.svg", response_class=Response,
            responses={200: {"content": {SVG: {}}}, 404: {}})
def pack_label_svg(request: Request, pack_code: str, lang: str | None = None) -> Response:
    """The 60 × 40 mm label of a pack, for any printer driver."""
    return Response(draw.label_svg(_label(request, pack_code, lang)), media_type=SVG, headers=CACHE)


@router.get("/v1/packs/{pack_code}/label.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, 404: {}, 503: {}})
def pack_label_png(request: Request, pack_code: str, lang: str | None = None) -> Response:
    """The label as a 1-bit 480 × 320 PNG at 203 dpi, for thermal printers."""
    label = _label(request, pack_code, lang)
    return Response(_drawn(draw.label_png, label), media_type="image/png", headers=CACHE)


@router.get("/v1/packing-runs/{run_id}/labels.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, 401: {}, 403: {}, 404: {}, 503: {}})
async def run_labels_pdf(request: Request, run_id: str, caller: Caller,
                         lang: str | None = None) -> Response:
    """Every label of a packing run, one 60 × 40 mm page each (operator of the run's cold
    store, admin)."""
    sheet = await _sheet(request, caller, run_id, lang, "pdf",
                         lambda labels: _drawn(draw.labels_pdf, labels))
    return Response(sheet, media_type="application/pdf", headers={
        **PRIVATE, "Content-Disposition": f'inline; filename="labels-{run_id}.pdf"'})


@router.get("/v1/packing-runs/{run_id}/labels.svg", response_class=Response,
            responses={200: {"content": {SVG: {}}}, 401: {}, 403: {}, 404: {}, 503: {}})
async def run_labels_svg(request: Request, run_id: str, caller: Caller,
                         lang: str | None = None) -> Response:
    """Every label of a packing run on one strip, one under the other (operator of the
    run's cold store, admin)."""
    sheet = await _sheet(request, caller, run_id, lang, "svg",
                         lambda labels: draw.labels_svg_sheet(labels).encode())
    return Response(sheet, media_type=SVG, headers=PRIVATE)


async def _sheet(request: Request, caller: Principal, run_id: str, lang: str | None, kind: str,
                 render: Callable[[list[Label]], bytes]) -> bytes:
    site = await run_in_threadpool(request.app.state.views.trace.run_site, run_id)
    if site is None:
        raise NotFound(f"no packing run {run_id}", run_id=run_id)
    caller.allow("operator", scope=site)
    sheets: LabelSheets = request.app.state.label_sheets
    key = (run_id, kind, locale_of(lang), public_url(request))
    return await sheets.sheet(key, lambda: render(_run(request, run_id, lang)))


def _label(request: Request, pack_code: str, lang: str | None) -> Label:
    trace = trace_of(request, pack_code)
    if trace is None or trace.get("kind", "pack") != "pack":
        raise NotFound(f"no pack {pack_code} was packed", pack_code=pack_code)
    return label_for(trace, trace_url=_link(request, trace, pack_code), locale=locale_of(lang))


def _run(request: Request, run_id: str, lang: str | None) -> list[Label]:
    codes = run_pack_codes(request, run_id)
    if not codes:
        raise NotFound(f"no packing run {run_id}", run_id=run_id)
    # A run's packs share product, grade, weight and packing time: one trace read serves all.
    first = _label(request, codes[0], lang)
    trace = trace_of(request, codes[0]) or {}
    # The certificates of every batch the run drew, not only those its first pack holds.
    drawn = [source for code in request.app.state.views.trace.run_batches(run_id)
             for source in (trace_of(request, code) or {}).get("sources", [])]
    certified = {**trace, "sources": drawn or trace.get("sources")}
    return [*certificate_labels(certified, base_url=public_url(request), locale=locale_of(lang)),
            *[replace(first, code=code, trace_url=_link(request, trace, code)) for code in codes]]


def _link(request: Request, trace: dict[str, Any], code: str) -> str:
    """The QR's address: the pack's GS1 Digital Link when GS1 keys are set, else its trace page."""
    base, product = public_url(request), trace.get("product") or {}
    return (identifiers(request.app.state.settings).label_link(
        code, sku=product.get("sku", ""), grade=trace.get("grade")) or f"{base}/t/{code}")


def public_url(request: Request) -> str:
    """The address a label's QR code points at; a label without one is refused."""
    found: str | None = request.app.state.settings.public_url
    if not found:
        raise Unavailable("labels need GONGXIAO_PUBLIC_URL, the address buyers' phones reach "
                          "(e.g. https://trace.example.cn): set it where `gongxiao serve` runs, so "
                          "the QR codes do not point at whichever host printed them",
                          slug="public-url-unset")
    return found


def certificate_labels(trace: dict[str, Any], *, base_url: str, locale: str) -> list[Label]:
    """The 承诺达标合格证 of each batch the run drew, first on its sheet; its QR opens the
    batch's page, where the whole certificate is. A certificate is issued when the batch's
    packs first ship: until then the sheet prints the one that dispatch will issue (product,
    origin, "issued at dispatch"); a batch in a recall gets none, so nothing is printed for it."""
    words = LabelWords(**{k: gettext(locale, v) for k, v in CERTIFICATE_LABEL.items()})
    pending = LabelWords(**{k: gettext(locale, v) for k, v in CERTIFICATE_PENDING_LABEL.items()})
    title = gettext(locale, "Compliance certificate")
    product = name_of(trace.get("product")) or ""
    packed = local(trace.get("packed_at"))
    labels = []
    for source in trace.get("sources") or []:
        found = source.get("certificate")
        link = f"{base_url}/t/{source['batch_code']}"
        if found:
            issued = local(found.get("issued_at"))
            labels.append(Label(
                code=source["batch_code"], trace_url=link,
                product=title, grade=f"{found.get('product')} · {found.get('village')}",
                net_kg=weight(found.get("quantity_kg")),
                packed_on=issued[:10] if issued else None, words=words))
        elif not trace.get("recall"):
            village = (source.get("farmer") or {}).get("village") or ""
            labels.append(Label(
                code=source["batch_code"], trace_url=link, product=title,
                grade=f"{product} · {village}", net_kg=None,
                packed_on=packed[:10] if packed else "", words=pending))
    return labels


def label_for(trace: dict[str, Any], *, trace_url: str, locale: str) -> Label:
    packed, expires = local(trace.get("packed_at")), local(trace.get("expires_at"))
    return Label(code=trace["code"], trace_url=trace_url, product=name_of(trace.get("product")) or "",
                 grade=trace.get("grade"), net_kg=weight(trace.get("pack_kg")),
                 packed_on=packed[:10] if packed else None,
                 expires_on=expires[:10] if expires else None,
                 coop=gettext(locale, COOP),
                 words=LabelWords(**{k: gettext(locale, v) for k, v in LABEL.items()}))


def _drawn(render: Any, what: Any) -> bytes:
    return bytes(render(what))  # no CJK font: LabelFontMissing, a 503
