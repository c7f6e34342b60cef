"""Control and invisible characters are refused at the edge, in every text and id field of every
body and in every address, saying which character; Chinese text and full-width punctuation pass.

A NUL that got into one event stopped every view on PostgreSQL (issue 11): nothing holding one
may be recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError

from contract.fields import Code, Text
from domain.application import Gongxiao
from infra.commands import execute
from tests.unit.api.helpers import assert_problem, events, intake_body, moment

REFUSED = {"\x00": "U+0000", "\x1b": "U+001B", "\x7f": "U+007F", "\x85": "U+0085",
           "\x9f": "U+009F", "\u202e": "U+202E", "\u2066": "U+2066", "\u200e": "U+200E",
           "\u061c": "U+061C", "\u200b": "U+200B", "\u200d": "U+200D", "\u2060": "U+2060",
           "\ufeff": "U+FEFF", "\ud800": "U+D800", "\ue000": "U+E000", "\u0378": "U+0378",
           "\u2028": "U+2028", "\n": "U+000A", "\t": "U+0009"}
ACCEPTED = ["张德明", "Zhang Deming", "L-2026·03", "复检合格：吡虫啉残留未检出（检测报告 2026-118）",
            "川A·冷001", "永安村　二组", "LOT-BCL-0921"]


@pytest.mark.parametrize("character", REFUSED)
def test_text_with_a_control_or_invisible_character_is_refused_naming_it(character: str) -> None:
    for text in (f"L{character}", character, f"{character}L", f"张{character}德明"):
        with pytest.raises(ValidationError) as refused:
            TypeAdapter(Text).validate_python(text)
        assert REFUSED[character] in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(Code).validate_python(f"B{character}")
    assert REFUSED[character] in str(refused.value)


@pytest.mark.parametrize("text", ACCEPTED)
def test_chinese_text_full_width_punctuation_and_spaces_are_accepted(text: str) -> None:
    assert TypeAdapter(Text).validate_python(text) == text


@pytest.mark.parametrize("character", REFUSED)
def test_a_spray_diary_lot_with_a_control_or_invisible_character_records_nothing(
        client: TestClient, district: Gongxiao, auth: Callable[[str], dict[str, str]],
        character: str) -> None:
    before = events(district)
    # As a client sends it: JSON with \u escapes, so a lone surrogate can be sent too.
    answer = client.post("/v1/input-applications", content=json.dumps({
        "farmer_id": "zhang", "sku": "bichonglin", "lot": f"L{character}",
        "applied_at": moment(0), "crop_sku": "jiuhuang"}),
        headers={**auth("farmer"), "Content-Type": "application/json"})
    body = assert_problem(answer, 422, field="lot")
    assert REFUSED[character] in body["errors"][0]["message"]
    assert events(district) == before


def _bodies() -> list[tuple[str, str, dict[str, Any], str]]:
    """(who, path, body, field) for every text and id field of the district's commands."""
    nul = "x\x00"
    application = {"farmer_id": "zhang", "sku": "bichonglin", "lot": "L1",
                   "applied_at": moment(0), "crop_sku": "jiuhuang"}
    sale = {"shop_id": "shop", "farmer_id": "zhang", "sold_at": moment(0), "payment": "cash",
            "lines": [{"sku": "bichonglin", "lot": "L1", "quantity": 1, "unit_price_fen": 100}]}
    return [
        ("admin", "/v1/farmers/li", {"name": nul, "village": "永安村"}, "name"),
        ("admin", "/v1/farmers/li", {"name": "李", "village": nul}, "village"),
        ("admin", "/v1/farmers/li", {"name": "李", "village": "永安村", "phone": "138\x00"}, "phone"),
        ("admin", "/v1/sites/s2", {"name": nul, "kind": "outlet"}, "name"),
        ("admin", "/v1/products/p2", {"name": "韭", "kind": "input", "unit": "bag",
                                      "active_ingredient": nul}, "active_ingredient"),
        ("admin", "/v1/farmers/zhang/payments", {"amount_fen": 1, "paid_at": moment(0),
                                                 "method": "cash\x00", "reference": "R1"}, "method"),
        ("admin", "/v1/farmers/zhang/payments", {"amount_fen": 1, "paid_at": moment(0),
                                                 "method": "cash", "reference": nul}, "reference"),
        ("shop", "/v1/input-sales", {**sale, "lines": [{**sale["lines"][0], "lot": nul}]},
         "lines[0].lot"),
        ("shop", "/v1/input-sales", {**sale, "farmer_id": nul}, "farmer_id"),
        ("farmer", "/v1/input-applications", {**application, "crop_sku": nul}, "crop_sku"),
        ("operator", "/v1/batches", {**intake_body("B1"), "batch_code": nul}, "batch_code"),
        ("operator", "/v1/temperature-readings", {"site_id": "yongan", "room": nul, "readings": [
            {"at": moment(0), "celsius": 3}]}, "room"),
        ("admin", "/v1/batches/B1/release", {"reason": nul}, "reason"),
        ("outlet", "/v1/orders", {"outlet_id": "out-a", "lines": [
            {"sku": "jiuhuang", "grade": "A\x00", "pack_kg": 0.5, "packs": 1}]}, "lines[0].grade"),
        ("outlet", "/v1/orders/o1/cancel", {"reason": nul}, "reason"),
        ("operator", "/v1/shipments", {"order_id": "o1", "pack_codes": ["P1"],
                                       "departed_at": moment(0), "vehicle": nul}, "vehicle"),
        ("outlet", "/v1/sales", {"outlet_id": "out-a", "pack_code": nul, "sold_at": moment(0),
                                 "price_fen": 100}, "pack_code"),
    ]


@pytest.mark.parametrize(("who", "path", "body", "field"), _bodies())
def test_every_text_and_id_field_refuses_a_nul(
        client: TestClient, district: Gongxiao, auth: Callable[[str], dict[str, str]],
        who: str, path: str, body: dict[str, Any], field: str) -> None:
    before = events(district)
    method = client.put if path.startswith(("/v1/farmers/li", "/v1/sites", "/v1/products")) \
        else client.post
    answer = method(path, headers=auth(who), json=body)
    problem = assert_problem(answer, 422, field=field)
    assert "U+0000" in str(problem["errors"])
    assert events(district) == before


@pytest.mark.parametrize("address", ["/t/%00", "/v1/trace/%00", "/v1/packs/%00/label.svg",
                                     "/v1/packs/a%E2%80%AE/label.png", "/static/pages/%1b.js"])
def test_an_address_holding_a_control_character_is_not_found(client: TestClient,
                                                              address: str) -> None:
    assert_problem(client.get(address), 404)


@pytest.mark.parametrize(("address", "field"), [("/v1/recall?input_lot=%00", "input_lot"),
                                                ("/v1/orders?outlet_id=a%1bb", "outlet_id"),
                                                ("/t/x?lang=%E2%80%8B", "lang")])
def test_a_query_holding_a_control_character_is_refused_naming_it(
        client: TestClient, district: Gongxiao, auth: Callable[[str], dict[str, str]],
        address: str, field: str) -> None:
    assert_problem(client.get(address, headers=auth("admin")), 422, field=field)


def test_a_kafka_scan_holding_a_control_character_is_refused_as_its_post_would_be(
        district: Gongxiao) -> None:
    before = events(district)
    status, problem = execute(district, "intake", intake_body("B\u202e1"), "scan-1")
    assert status == 422 and "U+202E" in problem["errors"][0]["message"]
    status, problem = execute(district, "shipment", {
        "order_id": "o1", "pack_codes": ["P1"], "departed_at": moment(0), "vehicle": "川A\x00"},
        "scan-2")
    assert status == 422 and problem["errors"][0]["field"] == "vehicle"
    assert events(district) == before
