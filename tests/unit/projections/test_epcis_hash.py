"""The EPCIS event hash (CBV 2.0 §8.9) against a hash GS1's reference implementation
published, and the properties the standard asks of it."""

from __future__ import annotations

import copy
from typing import Any

from projections.epcis.hashing import event_hash, pre_hash
from projections.epcis.vocabulary import canonical_uri

# tests/examples/ReferenceEventHashAlgorithm2 of GS1's reference implementation
# (github.com/RalphTro/epcis-event-hash-generator): its pre-hash string and hash.
REFERENCE_HASH = "ni:///sha-256;49b13037c36e84ad9307c531671b00e901318c3957e4b1151f816ec49eb668da?ver=CBV2.0"
REFERENCE_PRE_HASH = (
    "eventType=ObjectEventeventTime=2020-04-01T14:00:00.000ZeventTimeZoneOffset=+01:00"
    "epcListepc=https://id.gs1.org/01/04012345111118/21/9876action=OBSERVE"
    "bizStep=https://ref.gs1.org/cbv/BizStep-inspectingreadPointid=https://id.gs1.org/414/4012345000054"
    "sensorElementListsensorElementsensorMetadatadeviceID=https://id.gs1.org/8004/4000001111"
    "deviceMetadata=https://id.gs1.org/8004/4000001111"
    "sensorReporttype=https://gs1.org/voc/AbsoluteHumidityvalue=12.1uom=A93"
    "sensorReporttype=https://gs1.org/voc/Dimensionless"
    "chemicalSubstance=https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-Nvalue=0.18uom=C35"
    "sensorReporttype=https://gs1.org/voc/Dimensionless"
    "microorganism=https://www.ncbi.nlm.nih.gov/taxonomy/1126011value=0.05uom=C35"
    "sensorReporttype=https://gs1.org/voc/Temperaturevalue=26sDev=0.1uom=CEL")


def reference_event() -> dict[str, Any]:
    return {
        "type": "ObjectEvent", "eventTime": "2020-04-01T15:00:00+01:00",
        "eventTimeZoneOffset": "+01:00", "epcList": ["urn:epc:id:sgtin:4012345.011111.9876"],
        "action": "OBSERVE", "bizStep": "urn:epcglobal:cbv:bizstep:inspecting",
        "readPoint": {"id": "urn:epc:id:sgln:4012345.00005.0"},
        "sensorElementList": [{
            "sensorMetadata": {"deviceID": "urn:epc:id:giai:4000001.111",
                               "deviceMetadata": "https://id.gs1.org/8004/4000001111"},
            "sensorReport": [
                {"type": "gs1:Temperature", "value": 26, "sDev": 0.1, "uom": "CEL"},
                {"type": "AbsoluteHumidity", "value": 12.1, "uom": "A93"},
                {"type": "Dimensionless", "microorganism": "https://www.ncbi.nlm.nih.gov/taxonomy/1126011",
                 "value": 0.05, "uom": "C35"},
                {"type": "Dimensionless", "value": 0.18, "uom": "C35", "chemicalSubstance":
                 "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N"}]}]}


def test_the_hash_of_gs1s_reference_event_is_the_published_one() -> None:
    assert pre_hash(reference_event()) == REFERENCE_PRE_HASH
    assert event_hash(reference_event()) == REFERENCE_HASH


def test_another_writing_of_the_same_event_has_the_same_hash() -> None:
    other = reference_event()
    other["eventTime"] = "2020-04-01T22:00:00.000+08:00"  # the same moment, another zone
    other["bizStep"] = "inspecting"  # the bare CBV word
    other["epcList"] = ["https://example.com/shop/01/04012345111118/21/9876?x=1"]  # a custom domain
    other["sensorElementList"][0]["sensorReport"].reverse()
    other = dict(reversed(list(other.items())))
    assert event_hash(other) == REFERENCE_HASH


def test_record_time_event_id_and_an_error_declaration_leave_the_hash_alone() -> None:
    declared = {**reference_event(), "recordTime": "2024-01-01T00:00:00Z", "eventID": "urn:uuid:1",
                "errorDeclaration": {"declarationTime": "2024-01-02T00:00:00Z",
                                     "reason": "incorrect_data"}}
    assert event_hash(declared) == REFERENCE_HASH


def test_any_change_of_a_value_or_a_field_changes_the_hash() -> None:
    changes = [("action", "ADD"), ("disposition", "in_progress"), ("eventTimeZoneOffset", "+02:00"),
               ("example:note", "added")]
    for field, value in changes:
        assert event_hash({**reference_event(), field: value}, {"example": "https://x/"}) != REFERENCE_HASH
    moved = copy.deepcopy(reference_event())
    moved["sensorElementList"][0]["sensorReport"][0]["value"] = 26.5
    assert event_hash(moved) != REFERENCE_HASH


def test_extensions_and_ilmd_are_hashed_by_their_full_names() -> None:
    one = {**reference_event(), "ilmd": {"gx:origin": "永安村"}, "gx:crop": "jiuhuang"}
    same = {**reference_event(), "ilmd": {"y:origin": "永安村"}, "y:crop": "jiuhuang"}
    assert "{https://coop.example/ns#}origin=永安村" in pre_hash(one, {"gx": "https://coop.example/ns#"})
    assert event_hash(one, {"gx": "https://coop.example/ns#"}) == \
        event_hash(same, {"y": "https://coop.example/ns#"})


def test_epc_urns_become_canonical_digital_links_with_their_check_digits() -> None:
    assert canonical_uri("urn:epc:id:sgtin:0614141.107346.2017") == \
        "https://id.gs1.org/01/10614141073464/21/2017"
    assert canonical_uri("urn:epc:id:sgln:0614141.07346.1234") == \
        "https://id.gs1.org/414/0614141073467/254/1234"
    assert canonical_uri("urn:epc:id:sscc:0614141.1234567890") == \
        "https://id.gs1.org/00/106141412345678908"
    assert canonical_uri("urn:epc:class:lgtin:4012345.012345.998877") == \
        "https://id.gs1.org/01/04012345123456/10/998877"
    assert canonical_uri("urn:epcglobal:cbv:disp:in_transit") == \
        "https://ref.gs1.org/cbv/Disp-in_transit"
    # the finest key only: a serial wins over a lot, the query string goes
    assert canonical_uri("https://id.gs1.org/01/09520123456788/10/ABC/21/12345?17=180426") == \
        "https://id.gs1.org/01/09520123456788/21/12345"
    assert canonical_uri("https://coop.example/id/pack/AB-1") == "https://coop.example/id/pack/AB-1"
