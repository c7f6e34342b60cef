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
from projections.epcis.mapping import epcis_events, when
from tests.district import at, graded, intake, seed
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
        draws=[{"batch_code": "YA-001", "kg": Decimal("1"), "first_pack": 1, "last_pack": 2}],
        pack_codes=["QTS-0001", "QTS-0002"], mixed=False)
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


def two_batch_run(app: StoredGongxiao) -> list[str]:
    """Five packs of 0.5 kg from 1.25 kg of B1 then 1.25 kg of B2: packs 1-2 hold B1, pack 3
    both, packs 4-5 B2."""
    seed(app)
    graded(app, "B1")
    graded(app, "B2", farmer="wang")
    return list(app.run_packing(site_id="yongan", sku="jiuhuang", grade="A", pack_kg="0.5",
                                count=5, packed_at=at(0, 4),
                                sources=[{"batch_code": "B1", "kg": "1.25"},
                                         {"batch_code": "B2", "kg": "1.25"}])["pack_codes"])


def recall_lineage(codes: list[str], batches: list[str], *,
                   sold: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"packs": [{"pack_code": c, "sku": "jiuhuang", "grade": "A",
                       "outlet_id": "out-a" if c in sold else None,
                       "state": "sold" if c in sold else "in_stock",
                       "sold_at": at(0, 20) if c in sold else None} for c in codes],
            "batch_codes": batches}


def pack_uri(code: str) -> str:
    return f"{PUBLIC}/id/pack/{code}"


def valid(events: list[dict[str, Any]]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in schema().iter_errors(document(events, GX))]
    assert errors == []


def test_a_packing_run_says_which_batches_each_pack_holds(app: StoredGongxiao,
                                                          views: ReadModels) -> None:
    codes = two_batch_run(app)
    views.runner(app).catch_up()
    runs = [e for e in mapped(views) if e["bizStep"] == "commissioning"]
    valid(runs)
    held = {tuple(e["outputEPCList"]): {q["epcClass"].split("/")[-3]: q["quantity"]
                                         for q in e["inputQuantityList"]} for e in runs}
    assert held == {(pack_uri(codes[0]), pack_uri(codes[1])): {"B1": 1},
                    (pack_uri(codes[2]),): {"B1": 0.25, "B2": 0.25},
                    (pack_uri(codes[3]), pack_uri(codes[4])): {"B2": 1}}
    # not one transformation (that would say every batch went into every pack): linked by run
    assert all("transformationID" not in e for e in runs)
    assert len({e["gx:packingRun"] for e in runs}) == 1


def test_a_recall_maps_from_opening_to_close_with_cbv_dispositions(app: StoredGongxiao,
                                                                   views: ReadModels) -> None:
    codes = two_batch_run(app)
    b1 = codes[:3]
    opened = app.open_recall(scope={"kind": "batch", "batch_code": "B1"}, reason="吡虫啉 residue",
                             level=2, opened_at=at(1), key="r1",
                             lineage=recall_lineage(b1, ["B1"]))
    recall_id = opened["recall_id"]
    app.widen_recall(recall_id=recall_id,
                     lineage=recall_lineage(codes[3:], [], sold=(codes[4],)),
                     reason="packs 4 and 5 share a crate", at=at(1, 1))
    app.account_pack(recall_id=recall_id, fate="pulled", place="out-a", pack_code=b1[0], at=at(1, 2))
    app.account_pack(recall_id=recall_id, fate="quarantined", place="yongan", pack_code=b1[1], at=at(1, 3))
    app.account_pack(recall_id=recall_id, fate="quarantined", place="yongan", pack_code=b1[2], at=at(1, 3))
    for code in b1[:2]:
        app.account_pack(recall_id=recall_id, pack_code=code, fate="destroyed", place="yongan",
                         at=at(2))
    app.account_pack(recall_id=recall_id, pack_code=codes[4], fate="returned", place="out-a",
                     at=at(2, 1))
    app.close_recall(recall_id=recall_id, closed_at=at(3), reason="pack 4 was eaten")
    views.runner(app).catch_up()
    events = mapped(views)
    valid(events)
    recall = [e for e in events if e.get("gx:recall") == f"{PUBLIC}/id/recall/{recall_id}"]
    assert [(e["action"], e["bizStep"].removeprefix(GX), e.get("disposition"), e["epcList"])
            for e in recall] == [
        ("OBSERVE", "recalling", "recalled", [pack_uri(c) for c in b1]),
        ("OBSERVE", "recalling", "recalled", [pack_uri(c) for c in codes[3:]]),
        ("OBSERVE", "holding", "non_sellable_other", [pack_uri(b1[0])]),
        ("OBSERVE", "holding", "non_sellable_other", [pack_uri(b1[1])]),
        ("OBSERVE", "holding", "non_sellable_other", [pack_uri(b1[2])]),
        ("DELETE", "destroying", "destroyed", [pack_uri(b1[0])]),
        ("DELETE", "destroying", "destroyed", [pack_uri(b1[1])]),
        ("OBSERVE", "receiving", "returned", [pack_uri(codes[4])]),
        ("OBSERVE", "recall_closing", None, [pack_uri(codes[3])])]
    first = recall[0]
    assert first["persistentDisposition"] == {"set": ["recalled"]}
    assert first["quantityList"] == [{"epcClass": f"{PUBLIC}/id/batch/B1"}]
    assert (first["gx:level"], first["gx:scope"], first["gx:reason"]) == (2, "batch", "吡虫啉 residue")
    assert recall[2]["bizLocation"] == {"id": f"{PUBLIC}/id/site/out-a"}
    assert recall[3]["readPoint"] == {"id": f"{PUBLIC}/id/site/yongan"}
    assert (recall[-1]["gx:outstanding"], recall[-1]["gx:reason"]) == (1, "pack 4 was eaten")
    assert not any("gx:drill" in e for e in recall)


def test_a_drill_names_the_packs_but_recalls_nothing(app: StoredGongxiao, views: ReadModels) -> None:
    codes = two_batch_run(app)
    opened = app.open_recall(scope={"kind": "batch", "batch_code": "B1"}, reason="drill",
                             level=3, drill=True, opened_at=at(1), key="d1",
                             lineage=recall_lineage(codes[:3], ["B1"]))
    app.account_pack(recall_id=opened["recall_id"], fate="quarantined", place="yongan", pack_code=codes[0],
                        at=at(1, 2))
    app.account_pack(recall_id=opened["recall_id"], pack_code=codes[0], fate="destroyed",
                     place="yongan", at=at(1, 3))
    app.close_recall(recall_id=opened["recall_id"], closed_at=at(2), reason="drill over")
    views.runner(app).catch_up()
    drill = [e for e in mapped(views) if "gx:recall" in e]
    valid(drill)
    assert [e["bizStep"].removeprefix(GX) for e in drill] == [
        "recall_drill", "holding", "destroying", "recall_closing"]
    assert all(e["gx:drill"] is True and e["action"] == "OBSERVE" for e in drill)
    assert not any("disposition" in e or "persistentDisposition" in e for e in drill)


def test_a_certificate_is_an_inspection_with_its_certification_info(app: StoredGongxiao,
                                                                  views: ReadModels) -> None:
    codes = two_batch_run(app)
    views.runner(app).catch_up()
    assert not [e for e in mapped(views) if e.get("certificationInfo")]  # packed, not shipped
    placed = app.place_order(outlet_id="out-a", placed_at=at(1), lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 5}])
    app.ship(order_id=placed["order_id"], pack_codes=codes, departed_at=at(1, 2))
    views.runner(app).catch_up()
    certified = [e for e in mapped(views) if e.get("certificationInfo")]
    valid(certified)
    assert {e["eventTime"] for e in certified} == {when(at(1, 2))["eventTime"]}  # at dispatch
    assert sorted(e["certificationInfo"] for e in certified) == [f"{PUBLIC}/t/B1", f"{PUBLIC}/t/B2"]
    one = certified[0]
    assert (one["action"], one["bizStep"], one["disposition"]) == ("OBSERVE", "inspecting",
                                                                    "conformant")
    assert one["quantityList"][0]["uom"] == "KGM" and one["quantityList"][0]["quantity"] == 100
    assert one["gx:basis"] == ["self_check"] and "gx:promises" in one


def test_a_correction_says_again_every_intake_the_farmer_had_each_kept_in_a_row_of_its_own(
        app: StoredGongxiao, views: ReadModels) -> None:
    seed(app)
    for code in ("B1", "B2", "B3"):
        intake(app, code)
        views.runner(app).catch_up()  # each in a batch of its own: the farmer's count grows
    farmer = views.db.fetch("SELECT intakes FROM epcis_farmers WHERE farmer_id = ?", ["zhang"])
    assert farmer == [{"intakes": 3}]
    app.register_farmer(farmer_id="zhang", name="章德明", village="永安村", phone="13800000001")
    views.runner(app).catch_up()
    intakes = [e for e in mapped(views) if e["bizStep"] == "receiving"]
    declared = [e for e in intakes if "errorDeclaration" in e]
    standing = [e for e in intakes if "errorDeclaration" not in e]
    assert len(declared) == len(standing) == 3
    assert {e["ilmd"]["gx:farmer"] for e in standing} == {"章**"}
    rows = views.db.fetch("SELECT n, event_id FROM epcis_farmer_intakes ORDER BY n")
    assert [r["n"] for r in rows] == [0, 1, 2]
    assert {r["event_id"] for r in rows} == {e["eventID"] for e in standing}
