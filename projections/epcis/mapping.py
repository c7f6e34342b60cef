"""The mapping: one domain event → the EPCIS 2.0 events (CBV 2.0 words) that say the same.

``epcis_events(name, event, facts, ids)`` is a pure function: ``facts`` carries what the event
itself does not repeat (the batch a grading is of, the product and grade of a stock, the
farmer's public name), looked up by the projection from its own rows. Each answer carries its
``eventID``, the EPCIS event hash, so the same domain event always gives the same EPCIS event.

The table of what maps to what is in docs/epcis.md; ``MAPPERS`` at the bottom is the code.

A correction of a farmer's details declares the intakes it changes wrong and says them again
(``corrected_intake``). Recall events (the recall issue) have their place marked above
``MAPPERS``, for when they exist on the log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from projections.epcis.hashing import event_hash
from projections.epcis.identifiers import Identifiers

Facts = Mapping[str, Any]
Mapper = Callable[[Any, Facts, Identifiers], list[dict[str, Any]]]
SHANGHAI = "Asia/Shanghai"


def epcis_events(name: str, event: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    """The EPCIS events of a domain event ``"Aggregate.Event"`` (none for one that has no
    meaning outside the co-op, such as a reservation), each with its hash as ``eventID``."""
    mapper = MAPPERS.get(name)
    return [with_id(e, ids) for e in mapper(event, facts, ids)] if mapper else []


def with_id(event: dict[str, Any], ids: Identifiers) -> dict[str, Any]:
    return {"eventID": event_hash(event, context(ids)), **event}


def context(ids: Identifiers) -> dict[str, str]:
    """The document's own CURIE prefix: ``gx`` for Gongxiao's extension namespace."""
    return {"gx": ids.extension_ns}


def when(moment: datetime, zone: str | None = None) -> dict[str, str]:
    local = moment.astimezone(ZoneInfo(zone or SHANGHAI))
    offset = local.strftime("%z")
    return {"eventTime": local.isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": f"{offset[:3]}:{offset[3:]}"}


def kg(value: Decimal | str) -> int | float:
    """A weight as a JSON number: whole kg as an integer, grams as a decimal fraction."""
    exact = Decimal(str(value))
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def place(ids: Identifiers, site_id: str) -> dict[str, Any]:
    uri = ids.site(site_id)
    return {"readPoint": {"id": uri}, "bizLocation": {"id": uri}}


def received(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    ilmd: dict[str, Any] = {
        "cbvmda:harvestStartDate": e.harvested_at.astimezone(ZoneInfo(SHANGHAI)).date().isoformat(),
        "cbvmda:itemExpirationDate": e.expires_at.astimezone(ZoneInfo(SHANGHAI)).date().isoformat(),
        "gx:harvestedAt": when(e.harvested_at, facts.get("zone"))["eventTime"],
        "gx:product": e.sku, "gx:farmer": facts["farmer_display_name"],
        "gx:origin": facts["farmer_village"]}
    if e.crates is not None:
        ilmd["gx:crates"] = e.crates
    event: dict[str, Any] = {
        "type": "ObjectEvent", **when(e.scanned_at, facts.get("zone")), "epcList": [],
        "quantityList": [{"epcClass": ids.batch(e.batch_code, sku=e.sku),
                          "quantity": kg(e.net_kg), "uom": "KGM"}],
        "action": "ADD", "bizStep": "receiving", "disposition": "in_progress",
        **place(ids, e.site_id),
        "sourceList": [{"type": "possessing_party", "source": ids.farmer(e.farmer_id)}],
        "destinationList": [{"type": "location", "destination": ids.site(e.site_id)}],
        "ilmd": ilmd}
    if e.temperature_c is not None:
        event["sensorElementList"] = [{"sensorMetadata": {"time": event["eventTime"]},
                                       "sensorReport": [{"type": "Temperature",
                                                         "value": kg(e.temperature_c),
                                                         "uom": "CEL"}]}]
    return [event]


def _batch_event(e: Any, facts: Facts, ids: Identifiers, at: datetime,
                 **fields: Any) -> dict[str, Any]:
    return {"type": "ObjectEvent", **when(at, facts.get("zone")), "epcList": [],
            "quantityList": [{"epcClass": ids.batch(facts["batch_code"], sku=facts["sku"])}],
            **fields, **place(ids, facts["site_id"])}


def put_on_hold(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    # A hold is recorded at intake, with the intake's own time.
    return [_batch_event(e, facts, ids, facts["scanned_at"], action="OBSERVE", bizStep="holding",
                         disposition="non_sellable_other",
                         persistentDisposition={"set": ["non_sellable_other"]},
                         **{"gx:holdReason": e.reason, "gx:holdDetail": e.detail})]


def released(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    return [_batch_event(e, facts, ids, e.released_at, action="OBSERVE", bizStep="inspecting",
                         disposition="sellable_not_accessible",
                         persistentDisposition={"unset": ["non_sellable_other"]},
                         **{"gx:reason": e.reason})]


def destroyed(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    # CBV: an object that ceases to exist is a DELETE of bizStep destroying.
    return [_batch_event(e, facts, ids, e.destroyed_at, action="DELETE", bizStep="destroying",
                         disposition="destroyed", **{"gx:reason": e.reason})]


def graded(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    code, sku = facts["batch_code"], facts["sku"]
    intake = sum((Decimal(str(k)) for k in e.grades_kg.values()), Decimal(0)) + \
        Decimal(str(e.reject_kg)) + Decimal(str(e.shrinkage_kg))
    outputs = [{"epcClass": ids.graded_lot(code, sku=sku, grade=g), "quantity": kg(k), "uom": "KGM"}
               for g, k in sorted(e.grades_kg.items()) if Decimal(str(k)) > 0]
    if Decimal(str(e.reject_kg)) > 0:
        outputs.append({"epcClass": ids.reject(code), "quantity": kg(e.reject_kg), "uom": "KGM"})
    return [{"type": "TransformationEvent", **when(e.graded_at, facts.get("zone")),
             "inputQuantityList": [{"epcClass": ids.batch(code, sku=sku), "quantity": kg(intake),
                                    "uom": "KGM"}],
             "outputQuantityList": outputs, "bizStep": "creating_class_instance",
             "disposition": "in_progress", **place(ids, facts["site_id"]),
             "gx:shrinkageKg": kg(e.shrinkage_kg)}]


def packed(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    sku, grade = facts["sku"], facts["grade"]
    zone = facts.get("zone")
    return [{"type": "TransformationEvent", **when(e.packed_at, zone),
             "inputQuantityList": [{"epcClass": ids.graded_lot(d["batch_code"], sku=sku, grade=grade),
                                    "quantity": kg(d["kg"]), "uom": "KGM"} for d in e.draws],
             "outputEPCList": [ids.pack(c, sku=sku, grade=grade) for c in e.pack_codes],
             "transformationID": ids.run(e.run_id, sku=sku, grade=grade),
             "bizStep": "commissioning", "disposition": "active", **place(ids, e.site_id),
             "ilmd": {"cbvmda:itemExpirationDate":
                      e.expires_at.astimezone(ZoneInfo(SHANGHAI)).date().isoformat(),
                      "gx:packKg": kg(e.pack_kg), "gx:product": sku, "gx:grade": grade}}]


def departed(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    event: dict[str, Any] = {
        "type": "ObjectEvent", **when(e.departed_at, facts.get("zone")),
        "epcList": [ids.pack(p["pack_code"], sku=p["sku"], grade=p["grade"]) for p in e.packs],
        "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
        "bizTransactionList": [{"type": "po", "bizTransaction": ids.order(e.order_id)}],
        "destinationList": [{"type": "location", "destination": ids.site(e.outlet_id)}]}
    if facts.get("site_id"):
        event.update(place(ids, facts["site_id"]))
        event["sourceList"] = [{"type": "location", "source": ids.site(facts["site_id"])}]
    if e.vehicle:
        event["gx:vehicle"] = e.vehicle
    return [event]


def delivered(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    packs = facts["packs"]
    event: dict[str, Any] = {
        "type": "ObjectEvent", **when(e.received_at, facts.get("zone")),
        "epcList": [ids.pack(c, sku=packs[c]["sku"], grade=packs[c]["grade"])
                    for c in e.received if c in packs],
        "action": "OBSERVE", "bizStep": "receiving", "disposition": "sellable_accessible",
        **place(ids, facts["outlet_id"]),
        "bizTransactionList": [{"type": "po", "bizTransaction": ids.order(facts["order_id"])}]}
    if e.missing:
        event["gx:missing"] = sorted(e.missing)
    if e.unexpected:
        event["gx:unexpected"] = sorted(e.unexpected)
    return [event]


def sold(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    pack = facts["pack"]
    return [{"type": "ObjectEvent", **when(e.sold_at, facts.get("zone")),
             "epcList": [ids.pack(e.pack_code, sku=pack["sku"], grade=pack["grade"])],
             "action": "OBSERVE", "bizStep": "retail_selling", "disposition": "retail_sold",
             **place(ids, facts["outlet_id"])}]


def readings(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    outside = {x["at"] for x in e.excursions}
    zone = facts.get("zone")
    elements = []
    for r in e.readings:
        report: dict[str, Any] = {"type": "Temperature", "value": kg(r["celsius"]), "uom": "CEL"}
        if r["at"] in outside:
            report["exception"] = "ALARM_CONDITION"
        elements.append({"sensorMetadata": {"time": when(r["at"], zone)["eventTime"]},
                         "sensorReport": [report]})
    room = ids.room(facts["site_id"], facts["room"])
    return [{"type": "ObjectEvent", **when(e.readings[-1]["at"], zone), "epcList": [],
             "action": "OBSERVE", "bizStep": "sensor_reporting", "readPoint": {"id": room},
             "bizLocation": {"id": ids.site(facts["site_id"])}, "sensorElementList": elements}]


def input_applied(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    event: dict[str, Any] = {
        "type": "ObjectEvent", **when(e.applied_at), "epcList": [],
        "quantityList": [{"epcClass": ids.input_lot(e.sku, e.lot)}],
        "action": "OBSERVE", "bizStep": ids.extension_ns + "input_application",
        "gx:farmer": ids.farmer(facts["farmer_id"]), "gx:crop": e.crop_sku, "gx:input": e.sku}
    if e.active_ingredient:
        event["gx:activeIngredient"] = e.active_ingredient
    if e.phi_days is not None:
        event["gx:phiDays"] = e.phi_days
    return [event]


def corrected_intake(intake: dict[str, Any], *, display_name: str, village: str,
                     declared_at: datetime, ids: Identifiers) -> tuple[dict[str, Any], dict[str, Any]]:
    """A farmer's details corrected: the intake said again with the corrected ILMD (an event of
    its own id), and the intake as it was, declared wrong (``errorDeclaration``, reason
    ``incorrect_data``) naming it as its corrective event."""
    fixed = {k: v for k, v in intake.items()
             if k not in ("eventID", "recordTime", "errorDeclaration")}
    fixed["ilmd"] = {**intake["ilmd"], "gx:farmer": display_name, "gx:origin": village}
    corrective = with_id(fixed, ids)
    declared = {**intake, "errorDeclaration": {
        "declarationTime": when(declared_at)["eventTime"], "reason": "incorrect_data",
        "correctiveEventIDs": [corrective["eventID"]]}}
    return declared, corrective


# Recall (the recall issue, on its own branch): its opening maps to ObjectEvents OBSERVE of
# the packs reached with disposition ``recalled`` (``holding`` for quarantine scans); add its
# mapper to MAPPERS here under the recall event's name when it is on the log.
MAPPERS: dict[str, Mapper] = {
    "Batch.Received": received, "Batch.PutOnHold": put_on_hold, "Batch.Released": released,
    "Batch.Destroyed": destroyed, "Batch.Graded": graded, "Stock.Packed": packed,
    "Shipment.Departed": departed, "Shipment.Delivered": delivered, "Shelf.Sold": sold,
    "ColdRoom.ReadingsLogged": readings, "Farmer.InputApplied": input_applied,
}
