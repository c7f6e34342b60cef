"""Printable pack labels: one pack's label as SVG or PNG, a packing run's as a PDF or SVG strip.

Public like the trace page they point to: a label shows nothing the QR's page does not.
Labels are in Chinese unless ``?lang=en`` asks otherwise; their words come from the pages'
message catalogs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.pages.i18n import gettext, locale_of
from api.pages.messages import LABEL
from api.pages.sources import run_pack_codes, trace_of
from api.pages.trace import local, name_of, weight
from infra import labels as draw
from infra.labels import Label, LabelFontMissing, LabelWords
from infra.problems import Problem

router = APIRouter(tags=["labels"])
SVG = "image/svg+xml"
CACHE = {"Cache-Control": "public, max-age=300"}


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
            responses={200: {"content": {"application/pdf": {}}}, 404: {}, 503: {}})
def run_labels_pdf(request: Request, run_id: str, lang: str | None = None) -> Response:
    """Every label of a packing run, one 60 × 40 mm page each."""
    labels = _run(request, run_id, lang)
    return Response(_drawn(draw.labels_pdf, labels), media_type="application/pdf", headers={
        **CACHE, "Content-Disposition": f'inline; filename="labels-{run_id}.pdf"'})


@router.get("/v1/packing-runs/{run_id}/labels.svg", response_class=Response,
            responses={200: {"content": {SVG: {}}}, 404: {}})
def run_labels_svg(request: Request, run_id: str, lang: str | None = None) -> Response:
    """Every label of a packing run on one strip, one under the other."""
    return Response(draw.labels_svg_sheet(_run(request, run_id, lang)), media_type=SVG, headers=CACHE)


def _label(request: Request, pack_code: str, lang: str | None) -> Label:
    trace = trace_of(request, pack_code)
    if trace is None or trace.get("kind", "pack") != "pack":
        raise Problem(404, f"no pack {pack_code} was packed", slug="not-found", pack_code=pack_code)
    return label_for(trace, trace_url=f"{request.base_url}t/{pack_code}", locale=locale_of(lang))


def _run(request: Request, run_id: str, lang: str | None) -> list[Label]:
    codes = run_pack_codes(request, run_id)
    if not codes:
        raise Problem(404, f"no packing run {run_id}", slug="not-found", run_id=run_id)
    # A run's packs share product, grade, weight and packing time: one trace read serves all.
    first = _label(request, codes[0], lang)
    return [replace(first, code=code, trace_url=f"{request.base_url}t/{code}") for code in codes]


def label_for(trace: dict[str, Any], *, trace_url: str, locale: str) -> Label:
    packed = local(trace.get("packed_at"))
    return Label(code=trace["code"], trace_url=trace_url, product=name_of(trace.get("product")) or "",
                 grade=trace.get("grade"), net_kg=weight(trace.get("pack_kg")),
                 packed_on=packed[:10] if packed else None,
                 words=LabelWords(**{k: gettext(locale, v) for k, v in LABEL.items()}))


def _drawn(render: Any, what: Any) -> bytes:
    try:
        return bytes(render(what))
    except LabelFontMissing as missing:
        raise Problem(503, str(missing), slug="label-font-missing") from missing
