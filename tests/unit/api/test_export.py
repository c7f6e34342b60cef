"""GET /v1/traceability/export: the sortable spreadsheet, one sheet per critical tracking event."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.helpers import assert_problem, shipped, stocked, when

Auth = Callable[[str], dict[str, str]]


def rows_of(content: bytes, sheet: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]


def week(district: Gongxiao, catch_up: Callable[[], Any]) -> dict[str, Any]:
    codes = stocked(district, packs=4)
    trip = shipped(district, codes[:3])
    district.confirm_delivery(shipment_id=trip["shipment_id"], received_at=when(1, 3),
                              pack_codes=codes[:2])
    catch_up()
    return trip


def test_export_of_a_batch_has_a_row_per_lot_line_on_every_sheet(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    trip = week(district, catch_up)
    response = client.get("/v1/traceability/export", params={"lot": "B1"}, headers=auth("admin"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    harvest = rows_of(response.content, "harvesting")
    assert harvest[0][:2] == ("traceability_lot_code", "traceability_lot_code_source")
    assert harvest[1][0] == "追溯批次码"
    assert [r[0] for r in harvest[2:]] == ["B1"] and harvest[2][5] == 100
    packing = rows_of(response.content, "initial_packing")[2:]
    assert [(r[2], r[6], r[8]) for r in packing] == [("B1", 4, 2)]
    shipping = rows_of(response.content, "shipping")[2:]
    assert [(r[5], r[-1]) for r in shipping] == [(3, trip["shipment_id"])]
    receiving = rows_of(response.content, "receiving")[2:]
    assert [r[5] for r in receiving] == [2]
    grades = rows_of(response.content, "transformation")[2:]
    assert sorted((r[5], r[6]) for r in grades) == [("A", 60), ("B", 30)]


def test_export_of_a_product_and_range_as_csv_is_one_sheet(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    week(district, catch_up)
    params = {"sku": "jiuhuang", "from": when(-1).isoformat(), "to": when(2).isoformat(),
              "format": "csv", "sheet": "cooling"}
    response = client.get("/v1/traceability/export", params=params, headers=auth("admin"))
    assert response.status_code == 200, response.text
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0][0] == "traceability_lot_code" and table[1][0] == "追溯批次码"
    assert [r[0] for r in table[2:]] == ["B1"]
    empty = client.get("/v1/traceability/export", headers=auth("admin"), params={
        **params, "from": when(5).isoformat(), "to": when(6).isoformat()})
    assert len(list(csv.reader(io.StringIO(empty.text)))) == 2


def test_export_without_a_scope_or_with_a_bad_one_is_refused(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    url = "/v1/traceability/export"
    assert_problem(client.get(url, headers=auth("admin")), 422, field="lot")
    assert_problem(client.get(url, params={"lot": "B1", "sku": "jiuhuang"},
                              headers=auth("admin")), 422, field="lot")
    assert_problem(client.get(url, params={"sku": "jiuhuang", "format": "csv"},
                              headers=auth("admin")), 422, field="sheet")
    assert_problem(client.get(url, params={"lot": "B1"}, headers=auth("outlet")), 403)
