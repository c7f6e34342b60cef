"""The EPCIS view over the demo week: every mapped event is valid EPCIS 2.0, says what the
domain event said, and keeps its id when the view is rebuilt."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from biip.gs1_digital_link_uris import GS1DigitalLinkURI

from infra.application import StoredGongxiao
from infra.demo import load_demo
from infra.views import ReadModels, identifiers
from projections.epcis import Identifiers
from projections.epcis.mapping import epcis_events
from tests.district import intake, seed
from tests.epcis_reference import document, schema

PUBLIC = "https://trace.gongxiao.test"  # the unit tests' settings (tests/unit/conftest.py)
GX = f"{PUBLIC}/ns/epcis#"


def mapped(views: ReadModels) -> list[dict[str, Any]]:
    return [json.loads(r["doc"]) for r in views.db.fetch("SELECT doc FROM epcis_events ORDER BY seq")]


def demo_events(app: StoredGongxiao, views: ReadModels) -> list[dict[str, Any]]:
    load_demo(app)
    views.runner(app).catch_up()
    return mapped(views)


def test_every_event_of_the_demo_week_is_valid_epcis(app: StoredGongxiao, views: ReadModels) -> None:
    events = demo_events(app, views)
    steps = Counter((e["type"], e["bizStep"]) for e in events)
    assert {("ObjectEvent", "receiving"), ("ObjectEvent", "holding"),
            ("TransformationEvent", "creating_class_instance"),
            ("TransformationEvent", "commissioning"), ("ObjectEvent", "shipping"),
            ("ObjectEvent", "retail_selling"), ("ObjectEvent", "sensor_reporting"),
            ("ObjectEvent", GX + "input_application")} <= set(steps)
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in schema().iter_errors(document(events, GX))]
    assert errors == []
    for one in events:  # an event on its own (with a context) is valid too
        assert list(schema().iter_errors({"@context": document([], GX)["@context"], **one})) == []


def test_intake_is_an_add_of_the_batch_in_kg_with_its_origin(app: StoredGongxiao,
                                                             views: ReadModels) -> None:
    intake = next(e for e in demo_events(app, views) if e["bizStep"] == "receiving"
                  and e["action"] == "ADD")
    batch = intake["quantityList"][0]
    assert batch["uom"] == "KGM" and batch["quantity"] > 0
    assert batch["epcClass"].startswith(f"{PUBLIC}/id/batch/")
    assert intake["ilmd"]["gx:farmer"].endswith("**")  # masked
    assert intake["sourceList"][0]["source"].startswith(f"{PUBLIC}/id/farmer/")
    assert intake["eventID"].startswith("ni:///sha-256;") and intake["eventID"].endswith("?ver=CBV2.0")


def test_grading_and_packing_keep_the_mass_balance_and_the_lineage(app: StoredGongxiao,
                                                                   views: ReadModels) -> None:
    events = demo_events(app, views)
    grading = next(e for e in events if e["bizStep"] == "creating_class_instance")
    kg_in = Decimal(str(grading["inputQuantityList"][0]["quantity"]))
    kg_out = sum(Decimal(str(q["quantity"])) for q in grading["outputQuantityList"])
    assert kg_out + Decimal(str(grading["gx:shrinkageKg"])) == kg_in
    packing = next(e for e in events if e["bizStep"] == "commissioning")
    grades = {q["epcClass"] for e in events if e["bizStep"] == "creating_class_instance"
              for q in e["outputQuantityList"]}
    assert {q["epcClass"] for q in packing["inputQuantityList"]} <= grades
    shipped = {epc for e in events if e["bizStep"] == "shipping" for epc in e["epcList"]}
    made = {epc for e in events if e["bizStep"] == "commissioning" for epc in e["outputEPCList"]}
    assert shipped and shipped <= made


def test_a_rebuilt_view_gives_the_same_events_with_the_same_ids(app: StoredGongxiao,
                                                                views: ReadModels) -> None:
    first = demo_events(app, views)
    views.rebuild(app, "epcis")
    again = mapped(views)
    strip = lambda events: [{k: v for k, v in e.items() if k != "recordTime"} for e in events]  # noqa: E731
    assert strip(again) == strip(first)
    assert len({e["eventID"] for e in first}) == len(first)


def test_with_a_company_prefix_packs_and_lots_are_checked_digital_links() -> None:
    ids = Identifiers(public_url="https://coop.example", company_prefix="6941234",
                      gtins={"jiuhuang": "6941234500017", "jiuhuang/A": "6941234500024"},
                      glns={"yongan": "6941234000012"})
    when = datetime(2026, 12, 1, tzinfo=UTC)
    packed = SimpleNamespace(
        packed_at=when, expires_at=when, pack_kg=Decimal("0.5"), site_id="yongan",
        run_id="3f2b1c4e-0000-4000-8000-000000000001",
        draws=[{"batch_code": "YA-001", "kg": Decimal("1")}], pack_codes=["QTS-0001", "QTS-0002"])
    [event] = epcis_events("Stock.Packed", packed, {"sku": "jiuhuang", "grade": "A"}, ids)
    assert event["outputEPCList"][0] == "https://id.gs1.org/01/06941234500024/21/QTS-0001"
    assert event["inputQuantityList"][0]["epcClass"] == "https://id.gs1.org/01/06941234500024/10/YA-001"
    assert event["readPoint"]["id"] == "https://id.gs1.org/414/6941234000012"
    for uri in [*event["outputEPCList"], event["transformationID"], event["readPoint"]["id"]]:
        GS1DigitalLinkURI.parse(uri)
    # a batch code longer than a GS1 lot (20 characters) keeps the co-op's own identifier
    assert ids.batch("Y" * 21, sku="jiuhuang") == f"https://coop.example/id/batch/{'Y' * 21}"
    # a product without a GTIN too
    assert ids.pack("P-1", sku="woshun", grade="A") == "https://coop.example/id/pack/P-1"


def test_a_gtin_with_a_wrong_check_digit_is_refused_at_start() -> None:
    try:
        Identifiers(company_prefix="6941234", gtins={"jiuhuang": "6941234500015"})
    except ValueError as e:
        assert "jiuhuang" in str(e)
    else:
        raise AssertionError("a wrong GTIN was taken")


def test_the_settings_name_the_identifiers(settings: Any) -> None:
    assert identifiers(settings).pack("X-1", sku="s", grade="A") == f"{PUBLIC}/id/pack/X-1"
    unset = identifiers(replace(settings, public_url=None))
    assert unset.pack("X-1", sku="s", grade="A") == "http://127.0.0.1:8000/id/pack/X-1"


def test_a_farmers_corrected_details_declare_the_intake_wrong_and_say_it_again(
        app: StoredGongxiao, views: ReadModels) -> None:
    seed(app)
    intake(app, "B1")
    views.runner(app).catch_up()
    [first] = [e for e in mapped(views) if e["bizStep"] == "receiving"]
    assert (first["ilmd"]["gx:farmer"], first["ilmd"]["gx:origin"]) == ("张**", "永安村")

    app.register_farmer(farmer_id="zhang", name="章德明", village="永安村", phone="13800000001")
    app.register_farmer(farmer_id="zhang", name="章德明", village="永安村二组", phone="13800000001")
    views.runner(app).catch_up()
    intakes = [e for e in mapped(views) if e["bizStep"] == "receiving"]
    assert len(intakes) == 3
    declared, second, third = intakes
    assert declared["eventID"] == first["eventID"]
    assert declared["errorDeclaration"]["reason"] == "incorrect_data"
    assert declared["errorDeclaration"]["correctiveEventIDs"] == [second["eventID"]]
    assert second["errorDeclaration"]["correctiveEventIDs"] == [third["eventID"]]
    assert "errorDeclaration" not in third
    assert (third["ilmd"]["gx:farmer"], third["ilmd"]["gx:origin"]) == ("章**", "永安村二组")
    assert {k: v for k, v in third.items() if k not in ("eventID", "ilmd", "recordTime")} == \
        {k: v for k, v in first.items() if k not in ("eventID", "ilmd", "recordTime")}
    assert list(schema().iter_errors(document(intakes, GX))) == []
    # a correction that changes nothing the events say (the phone) declares nothing
    app.register_farmer(farmer_id="zhang", name="章德明", village="永安村二组", phone="13900000009")
    views.runner(app).catch_up()
    assert len([e for e in mapped(views) if e["bizStep"] == "receiving"]) == 3
