"""The mapping: one domain event → the EPCIS 2.0 events (CBV 2.0 words) that say the same.

``epcis_events(name, event, facts, ids)`` is a pure function: ``facts`` carries what the event
itself does not repeat (the batch a grading is of, the product and grade of a stock, the
farmer's public name), looked up by the projection from its own rows. Each answer carries its
``eventID``, the EPCIS event hash, so the same domain event always gives the same EPCIS event.

The table of what maps to what is in docs/epcis.md; ``MAPPERS`` at the bottom is the code.

A correction of a farmer's details declares the intakes it changes wrong and says them again
(``corrected_intake``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
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
    return {"eventTime": local.isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": _offset(local.utcoffset())}


@lru_cache(maxsize=64)  # a zone has few offsets; strftime for every event was a cost
def _offset(delta: timedelta | None) -> str:
    """``+08:00``: the offset as ``%z`` writes it, a colon after the hours."""
    offset = datetime(2000, 1, 1, tzinfo=timezone(delta or timedelta(0))).strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


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
    """A run whose packs all hold the same batches (mixed, or of one batch) is one
    transformation, the run its ``transformationID``; otherwise each stretch of packs holding
    the same batches is one of its own, inputs the kg of each batch those packs hold (events
    sharing a ``transformationID`` would say every input went into every output)."""
    sku, grade = facts["sku"], facts["grade"]
    run = ids.run(e.run_id, sku=sku, grade=grade)
    common = {"bizStep": "commissioning", "disposition": "active", **place(ids, e.site_id),
              "ilmd": {"cbvmda:itemExpirationDate":
                       e.expires_at.astimezone(ZoneInfo(SHANGHAI)).date().isoformat(),
                       "gx:packKg": kg(e.pack_kg), "gx:product": sku, "gx:grade": grade}}
    groups = [(e.draws, e.pack_codes)] if e.mixed else pack_groups(e.draws, e.pack_codes, e.pack_kg)
    linked = {"transformationID": run} if len(groups) == 1 else {"gx:packingRun": run}
    return [{"type": "TransformationEvent", **when(e.packed_at, facts.get("zone")),
             "inputQuantityList": [{"epcClass": ids.graded_lot(d["batch_code"], sku=sku, grade=grade),
                                    "quantity": kg(d["kg"]), "uom": "KGM"} for d in draws],
             "outputEPCList": [ids.pack(c, sku=sku, grade=grade) for c in codes],
             **linked, **common} for draws, codes in groups]


def pack_groups(draws: list[dict[str, Any]], codes: list[str],
                pack_kg: Decimal) -> list[tuple[list[dict[str, Any]], list[str]]]:
    """A run's packs in stretches that hold the same batches (``domain.stock.lineage``), each
    with the kg of each batch in it: the batches fill the run one after the other, so pack n
    holds the run's kilograms from (n - 1) x pack_kg to n x pack_kg."""
    holds: list[list[int]] = [[] for _ in codes]
    for i, d in enumerate(draws):
        for n in range(d["first_pack"] - 1, d["last_pack"]):
            holds[n].append(i)
    stretches: list[tuple[list[int], int, int]] = []  # batches, first and last pack (0-based)
    for n, batches in enumerate(holds):
        if stretches and stretches[-1][0] == batches:
            stretches[-1] = (batches, stretches[-1][1], n)
        else:
            stretches.append((batches, n, n))
    size, starts, total = Decimal(str(pack_kg)), [], Decimal(0)
    for d in draws:
        starts.append(total)
        total += Decimal(str(d["kg"]))
    answer = []
    for batches, first, last in stretches:
        low, high = first * size, (last + 1) * size
        inputs = [{"batch_code": draws[i]["batch_code"],
                   "kg": min(starts[i] + Decimal(str(draws[i]["kg"])), high) - max(starts[i], low)}
                  for i in batches]
        answer.append((inputs, codes[first:last + 1]))
    return answer


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


def _recall(e: Any, drill: bool, ids: Identifiers) -> dict[str, Any]:
    """What every event of a recall says: which recall, and whether it is only a drill."""
    return {"gx:recall": ids.recall(str(e.originator_id)), **({"gx:drill": True} if drill else {})}


def recall_opened(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    return [{**_recalled(e, facts, ids, e.opened_at), "gx:scope": e.scope["kind"]}]


def recall_widened(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    return [_recalled(e, facts, ids, e.widened_at)]


def _recalled(e: Any, facts: Facts, ids: Identifiers, at: datetime) -> dict[str, Any]:
    """The packs (instances) and batches (classes) a recall takes, opened or widened: recalled
    from now on (``persistentDisposition``); a drill's are only named, under its own bizStep."""
    drill = facts["drill"]
    event: dict[str, Any] = {
        "type": "ObjectEvent", **when(at),
        "epcList": [ids.pack(p["pack_code"], sku=p["sku"], grade=p["grade"]) for p in e.packs],
        "action": "OBSERVE", "bizStep": ids.extension_ns + ("recall_drill" if drill else "recalling")}
    batches = [{"epcClass": ids.batch(c, sku=facts["batches"][c])} for c in e.batch_codes
               if c in facts["batches"]]
    if batches:
        event["quantityList"] = batches
    if not drill:
        event |= {"disposition": "recalled", "persistentDisposition": {"set": ["recalled"]}}
    return {**event, **_recall(e, drill, ids), "gx:reason": e.reason, "gx:level": facts["level"]}


# A pack found: CBV bizStep, disposition and action of each fate.
FOUND = {"pulled": ("holding", "non_sellable_other", "OBSERVE"),
         "quarantined": ("holding", "non_sellable_other", "OBSERVE"),
         "destroyed": ("destroying", "destroyed", "DELETE"),
         "returned": ("receiving", "returned", "OBSERVE")}


def pack_accounted(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    """A recalled pack's fate at a place; in a drill the same scan, the pack's state unsaid."""
    pack, drill = facts.get("pack"), facts["drill"]
    if pack is None:
        return []
    step, disposition, action = FOUND[e.fate]
    event: dict[str, Any] = {
        "type": "ObjectEvent", **when(e.accounted_at, facts.get("zone")),
        "epcList": [ids.pack(e.pack_code, sku=pack["sku"], grade=pack["grade"])],
        "action": "OBSERVE" if drill else action, "bizStep": step, **place(ids, e.place)}
    if not drill:
        event["disposition"] = disposition
    return [{**event, **_recall(e, drill, ids), "gx:fate": e.fate}]


def recall_closed(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    """The close, naming the packs never found."""
    packs = facts["packs"]
    event: dict[str, Any] = {
        "type": "ObjectEvent", **when(e.closed_at),
        "epcList": [ids.pack(c, sku=packs[c]["sku"], grade=packs[c]["grade"])
                    for c in e.outstanding if c in packs],
        "action": "OBSERVE", "bizStep": ids.extension_ns + "recall_closing",
        **_recall(e, facts["drill"], ids), "gx:outstanding": len(e.outstanding)}
    if e.reason:
        event["gx:reason"] = e.reason
    return [event]


def certificate_issued(e: Any, facts: Facts, ids: Identifiers) -> list[dict[str, Any]]:
    """承诺达标合格证: the batch inspected and conformant, ``certificationInfo`` the page that
    shows the certificate."""
    return [{"type": "ObjectEvent", **when(e.issued_at, facts.get("zone")), "epcList": [],
             "quantityList": [{"epcClass": ids.batch(e.batch_code, sku=e.sku),
                               "quantity": kg(e.quantity_kg), "uom": "KGM"}],
             "action": "OBSERVE", "bizStep": "inspecting", "disposition": "conformant",
             **place(ids, facts["site_id"]), "certificationInfo": ids.certificate(e.batch_code),
             "gx:issuer": e.issuer, "gx:promises": list(e.promises),
             "gx:basis": sorted({b["kind"] for b in e.basis})}]


MAPPERS: dict[str, Mapper] = {
    "Batch.Received": received, "Batch.PutOnHold": put_on_hold, "Batch.Released": released,
    "Batch.Destroyed": destroyed, "Batch.Graded": graded, "Stock.Packed": packed,
    "Shipment.Departed": departed, "Shipment.Delivered": delivered, "Shelf.Sold": sold,
    "ColdRoom.ReadingsLogged": readings, "Farmer.InputApplied": input_applied,
    "Recall.Opened": recall_opened, "Recall.Widened": recall_widened,
    "Recall.PackAccounted": pack_accounted, "Recall.Closed": recall_closed,
    "Certificate.Issued": certificate_issued,
}
