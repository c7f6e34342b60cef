"""The 24-hour sortable spreadsheet of the traceability records (admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import Admin, Views
from contract.fields import Code, Moment
from contract.problems import problems
from infra.problems import InvalidField
from infra.spreadsheet import XLSX, sheet_csv, workbook
from projections.trace.export import SHEETS

router = APIRouter(prefix="/v1/traceability", tags=["read models"])
Sheet = Literal["harvesting", "cooling", "initial_packing", "shipping", "receiving",
                "transformation"]


@router.get("/export", response_model=None, responses={
    200: {"content": {XLSX: {}, "text/csv": {}}, "description": "an XLSX workbook, one sheet "
          "per critical tracking event; or one sheet as CSV"}, **problems(401, 403, 422)})
def get_export(views: Views, _: Admin, lot: Annotated[Code | None, Query(
                   description="a traceability lot code: a batch code or a packing run id")] = None,
               sku: Annotated[Code | None, Query()] = None,
               start: Annotated[Moment | None, Query(alias="from")] = None,
               end: Annotated[Moment | None, Query(alias="to")] = None,
               format: Literal["xlsx", "csv"] = "xlsx",
               sheet: Sheet | None = None) -> Response:
    """For a lot code, or a product and/or a date range: harvests, intakes and packing runs
    in it, and where their packs went. CSV needs the sheet named."""
    if lot is None and sku is None and start is None and end is None:
        raise InvalidField("name a lot code, a product or a date range", field="lot",
                           message="lot, sku, from or to is required")
    if lot is not None and (sku or start or end):
        raise InvalidField("a lot code is a whole scope: leave out sku, from and to",
                           field="lot", message="lot alone")
    if start and end and start > end:
        raise InvalidField("from is after to", field="from",
                           message="from must not be after to")
    rows = views.trace.export(lot=lot, sku=sku, start=start, end=end)
    name = f"traceability-{lot or sku or 'range'}"
    if format == "csv":
        if sheet is None:
            raise InvalidField("CSV is one sheet: name it with sheet=", field="sheet",
                               message="required for csv")
        return Response(sheet_csv(SHEETS[sheet], rows[sheet]), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}-{sheet}.csv"'})
    return Response(workbook(SHEETS, rows), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
